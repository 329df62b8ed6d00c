using System.Text.Json;
using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>
/// An immutable snapshot of a table ordered by id, with its whole-list JSON rendered once: readers
/// share a snapshot while a writer builds the next one, so reads never wait and never see half a write.
/// </summary>
internal sealed class SortedRows<T> where T : ITableRecord
{
    private readonly T[] _rows;
    private byte[]? _json;

    private SortedRows(T[] rows) => _rows = rows;

    public static SortedRows<T> Empty { get; } = new([]);

    public static SortedRows<T> From(IEnumerable<T> rows) => new([.. rows.OrderBy(r => r.Id)]);

    public IReadOnlyList<T> All => _rows;

    public bool Contains(int id) => IndexOf(id) >= 0;

    public T? Find(int id) => IndexOf(id) is var i and >= 0 ? _rows[i] : default;

    /// <summary>A snapshot with <paramref name="row"/> added, or replacing the row with the same id.</summary>
    public SortedRows<T> With(T row)
    {
        var index = IndexOf(row.Id);
        if (index >= 0)
        {
            var replaced = (T[])_rows.Clone();
            replaced[index] = row;
            return new(replaced);
        }
        var at = ~index;
        var rows = new T[_rows.Length + 1];
        Array.Copy(_rows, rows, at);
        rows[at] = row;
        Array.Copy(_rows, at, rows, at + 1, _rows.Length - at);
        return new(rows);
    }

    public IReadOnlyList<T> Slice(Page page)
    {
        var start = Math.Min(page.Offset, _rows.Length);
        var count = Math.Min(page.Limit ?? int.MaxValue, _rows.Length - start);
        return new ArraySegment<T>(_rows, start, count);
    }

    /// <summary>The page as the API's JSON array; the whole list is rendered once per snapshot.</summary>
    public byte[] Json(Page page) =>
        page.IsAll
            ? _json ??= JsonSerializer.SerializeToUtf8Bytes(_rows, NewsstandJson.Options)
            : JsonSerializer.SerializeToUtf8Bytes(Slice(page), NewsstandJson.Options);

    private int IndexOf(int id)
    {
        int low = 0, high = _rows.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var current = _rows[mid].Id;
            if (current == id)
            {
                return mid;
            }
            if (current < id)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return ~low;
    }
}
