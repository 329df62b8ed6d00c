using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace BareKestrel;

/// <summary>
/// One writer thread that commits the vendors waiting for it in one transaction each time (group commit), through
/// one prepared single-row statement bound by position. A row that fails makes the group go again row by row, so
/// only that row's caller is refused. Callers hand in batches (the ceiling one vendor per request, the floor's chunk
/// grain one grain call's vendors); a batch is answered once, when its last row is settled.
/// </summary>
internal sealed class GroupInserts : IDisposable
{
    private const string Insert =
        "INSERT INTO vendor (id, rep_firstname, rep_lastname, rep_id, rep_date_employed, account_name, account_number, date_consigned, login_id) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

    private readonly Channel<(Vendor[] Vendors, TaskCompletionSource<bool[]> Done)> _waiting =
        Channel.CreateUnbounded<(Vendor[], TaskCompletionSource<bool[]>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly Thread _writer;

    public GroupInserts(string file)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        _connection.Open();
        Run("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Run("CREATE TABLE IF NOT EXISTS vendor (id INTEGER PRIMARY KEY, rep_firstname TEXT NOT NULL, rep_lastname TEXT NOT NULL, " +
            "rep_id TEXT NOT NULL, rep_date_employed TEXT NOT NULL, account_name TEXT NOT NULL, account_number TEXT NOT NULL, " +
            "date_consigned TEXT NOT NULL, login_id INTEGER NOT NULL)");
        _insert = _connection.CreateCommand();
        _insert.CommandText = Insert;
        for (var i = 1; i <= 9; i++)
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = "$" + i.ToString(CultureInfo.InvariantCulture) });
        }
        _insert.Prepare();
        _writer = new Thread(Write) { IsBackground = true, Name = "ceiling writer" };
        _writer.Start();
    }

    /// <summary>For each vendor, once all are settled: true if it is committed and synced, false if its row was refused.</summary>
    public Task<bool[]> AddAsync(Vendor[] vendors)
    {
        var done = new TaskCompletionSource<bool[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_waiting.Writer.TryWrite((vendors, done)))
        {
            done.SetResult(new bool[vendors.Length]);
        }
        return done.Task;
    }

    public void Dispose()
    {
        _waiting.Writer.TryComplete();
        _writer.Join();
        _insert.Dispose();
        _connection.Dispose();
    }

    private void Write()
    {
        var group = new List<(Vendor[] Vendors, TaskCompletionSource<bool[]> Done)>();
        var reader = _waiting.Reader;
        // A dedicated thread, so waiting for the next group may block it.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var item))
            {
                group.Add(item);
            }
            if (TryCommit(group.SelectMany(batch => batch.Vendors)))
            {
                foreach (var (vendors, done) in group)
                {
                    var committed = new bool[vendors.Length];
                    Array.Fill(committed, true);
                    done.SetResult(committed);
                }
            }
            else
            {
                foreach (var (vendors, done) in group)
                {
                    done.SetResult(Array.ConvertAll(vendors, vendor => TryCommit([vendor])));
                }
            }
            group.Clear();
        }
    }

    private bool TryCommit(IEnumerable<Vendor> vendors)
    {
        using var transaction = _connection.BeginTransaction();
        _insert.Transaction = transaction;
        try
        {
            foreach (var vendor in vendors)
            {
                Bind(vendor);
                _insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        catch (SqliteException)
        {
            transaction.Rollback();
            return false;
        }
        return true;
    }

    private void Bind(Vendor vendor)
    {
        var p = _insert.Parameters;
        p[0].Value = vendor.Id;
        p[1].Value = vendor.RepFirstname;
        p[2].Value = vendor.RepLastname;
        p[3].Value = vendor.RepId;
        p[4].Value = vendor.RepDateEmployed.ToString("O", CultureInfo.InvariantCulture);
        p[5].Value = vendor.AccountName;
        p[6].Value = vendor.AccountNumber;
        p[7].Value = vendor.DateConsigned.ToString("O", CultureInfo.InvariantCulture);
        p[8].Value = vendor.LoginId;
    }

    private void Run(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
