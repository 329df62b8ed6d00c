namespace Newsstand.Messaging;

/// <summary>
/// The id a message gets when its send carries none (no Idempotency-Key): unique, and ordered by the time it was made.
/// The log's unique index on (topic, message id) takes every message; random ids landed each one on a random page of
/// that index, so a group commit of a few sends touched as many index pages, read them back from the file and wrote
/// each whole to the WAL. Time-ordered ids (UUID version 7, whose text starts with the millisecond) go to the index's
/// last pages, as the log's own key does.
/// </summary>
internal static class MessageIds
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
