using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>
/// Owns one table: loads it at activation, serves reads from an immutable snapshot and commits every
/// insert before publishing the next snapshot. Subclasses are reentrant: state changes only in the
/// synchronous tail after the commit, and <see cref="_writing"/> keeps two writes of one id apart.
/// </summary>
internal abstract class TableGrain<TRecord>(NewsstandDb db) : Grain, ITableGrain<TRecord>
    where TRecord : class, ITableRecord
{
    private readonly HashSet<int> _writing = [];

    protected SortedRows<TRecord> Rows { get; private set; } = SortedRows<TRecord>.Empty;

    protected abstract string Table { get; }

    /// <summary>The rows of other tables this row points to; each must exist before it is written.</summary>
    protected virtual IEnumerable<Reference> References(TRecord record) => [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Rows = SortedRows<TRecord>.From(await db.RunAsync(context => context.Set<TRecord>().ToListAsync(cancellationToken)));
    }

    public async Task<TRecord> AddAsync(TRecord record)
    {
        if (Rows.Contains(record.Id) || !_writing.Add(record.Id))
        {
            throw new RecordConflictException("id", $"{Table} {record.Id} already exists.");
        }
        try
        {
            foreach (var reference in References(record))
            {
                if (!await reference.Owner(GrainFactory).ContainsAsync(reference.Id))
                {
                    throw new MissingReferenceException(reference.Field, reference.Table, reference.Id);
                }
            }
            await db.RunAsync(context =>
            {
                context.Add(record);
                return DbWriteErrors.SaveAsync(context, Table);
            });
            Rows = Rows.With(record);
            return record;
        }
        finally
        {
            _writing.Remove(record.Id);
        }
    }

    public Task<byte[]> ListJsonAsync(Page page) => Task.FromResult(Rows.Json(page));

    public Task<bool> ContainsAsync(int id) => Task.FromResult(Rows.Contains(id));
}
