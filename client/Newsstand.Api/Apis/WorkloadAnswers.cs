using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Apis;

/// <summary>The original's one-field answers of background workloads.</summary>
internal sealed record MessageAnswer(string Message);

/// <summary><c>{"content": "..."}</c>, as the original's monitor route answers.</summary>
internal sealed record ContentAnswer(string Content);

/// <summary>The body of <c>POST /ch08/admin/login/dec</c>: a token of <c>GET /ch08/admin/login/list/enc</c>.</summary>
internal sealed record ProfileTokenBody([property: Required, MaxLength(ProfileTokenBody.MaxLength)] string Token)
{
    public const int MaxLength = 16 * 1024;
}
