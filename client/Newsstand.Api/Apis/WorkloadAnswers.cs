using System.ComponentModel.DataAnnotations;
using Newsstand.Workloads;

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

/// <summary><c>GET /ch08/login/list/records</c> as it streams: the JSON of <see cref="LoginRecords"/>, the list written as the silo hands it over.</summary>
internal sealed record StreamedLoginRecords(long NumRec, IAsyncEnumerable<string> UserList);

/// <summary><c>GET /ch08/admin/login/list/enc</c> as it streams: the JSON of <see cref="EncryptedProfiles"/>, the profiles written as the
/// silo encrypts them. The count is the admin table's count when the answer starts.</summary>
internal sealed record StreamedEncryptedProfiles(string Message, long Count, IAsyncEnumerable<EncryptedProfile> Profiles);
