using System.Collections.Concurrent;

namespace Newsstand.Records;

/// <summary>
/// The whole lists (<see cref="ListRead.All"/>) that the table indexes active in this process hold as current: the co-hosted
/// form's API answers them without a grain call. An index publishes its answer when it keeps it and withdraws it, in
/// the same turn, when a chunk reports a write (before that write is acknowledged) and when the index deactivates, so
/// a read that finds an answer here gets what the index itself would have answered. In a process without the table's
/// index (a separate web client; a silo that does not hold it) nothing is ever published and every read goes to the grain.
/// </summary>
public sealed class LocalWholeLists
{
    private readonly ConcurrentDictionary<Type, ListSlice> _answers = new();

    /// <summary>The current whole list of <typeparamref name="TRecord"/>'s table, when its index in this process holds one.</summary>
    public ListSlice? Find<TRecord>() where TRecord : ITableRecord => _answers.TryGetValue(typeof(TRecord), out var answer) ? answer : null;

    /// <summary>The current answer; only the table's index calls this, inside its turn.</summary>
    public void Publish<TRecord>(ListSlice answer) where TRecord : ITableRecord => _answers[typeof(TRecord)] = answer;

    /// <summary>Nothing is current any more; only the table's index calls this, inside its turn.</summary>
    public void Withdraw<TRecord>() where TRecord : ITableRecord => _answers.TryRemove(typeof(TRecord), out _);
}
