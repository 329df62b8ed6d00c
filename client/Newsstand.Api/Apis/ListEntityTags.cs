using Microsoft.Net.Http.Headers;
using Newsstand.Records;

namespace Newsstand.Api.Apis;

/// <summary>
/// Entity tags of list answers (RFC 9110 §8.8.3): the table's version and the page asked for. A write to
/// the table moves its version, a restarted or moved index draws a new epoch, so a tag never names two
/// different answers of one list URL.
/// </summary>
internal static class ListEntityTags
{
    public static EntityTagHeaderValue Of(TableRevision version, Page page) =>
        new($"\"{version.Epoch:x16}-{version.Writes:x}-{page.Offset}-{page.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"}\"");

    /// <summary>
    /// Whether an <c>If-None-Match</c> list names <paramref name="current"/>: <c>*</c> (a list always exists), or
    /// one of its tags by weak comparison, as RFC 9110 §13.1.2 asks for this header. A list that does not parse names nothing.
    /// </summary>
    public static bool Matches(IList<EntityTagHeaderValue> ifNoneMatch, EntityTagHeaderValue current) =>
        ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));

    /// <summary>The headers a list answer and its 304 share: the tag, and that caches must ask again before reusing it.</summary>
    public static void Describe(HttpResponse response, EntityTagHeaderValue tag)
    {
        response.GetTypedHeaders().ETag = tag;
        response.Headers.CacheControl = "no-cache";
    }
}
