using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tests.Infrastructure;
using Newsstand.Workloads;

namespace Newsstand.Tests.Storage;

/// <summary>The storage contract, run once on SQLite and once on PostgreSQL.</summary>
public abstract class StorageTests(IStorageFixture fixture)
{
    private ILoginChunkGrain Logins(int id) => fixture.Grains.LoginOwner(id);

    private IRecordChunkGrain<VendorRecord> Vendors(int id) => fixture.Grains.RecordOwner<VendorRecord>(id);

    [Fact]
    public async Task ARowIsCommittedWhenItsOwnerAnswers()
    {
        var loginId = Ids.Next();
        var vendor = Vendor(Ids.Next(), loginId);
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 2));
        await Vendors(vendor.Id).AddAsync(vendor);

        // A fresh connection, as another process would open after a crash.
        await using var db = fixture.OpenDatabase();
        Assert.Equal(vendor, await db.Vendors.SingleAsync(v => v.Id == vendor.Id));
        var login = await db.Logins.SingleAsync(l => l.Id == loginId);
        Assert.Equal(($"user{loginId}", 2), (login.Username, login.UserType));
    }

    [Fact]
    public async Task AnOwnerReloadsItsTableFromTheDatabaseAfterDeactivation()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var direct = Vendor(Ids.Next(), loginId);
        await using (var db = fixture.OpenDatabase())
        {
            db.Vendors.Add(direct);
            await db.SaveChangesAsync();
        }

        await fixture.Cluster.DeactivateAsync(Vendors(direct.Id));

        Assert.Equal([direct], await Vendors(direct.Id).FindAsync([direct.Id]));
    }

    [Fact]
    public async Task TheDatabaseRefusesADuplicateKeyTheOwnerDidNotKnowAbout()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendor = Vendor(Ids.Next(), loginId);
        await Vendors(vendor.Id).ContainsAsync(0);
        await using (var db = fixture.OpenDatabase())
        {
            db.Vendors.Add(vendor);
            await db.SaveChangesAsync();
        }

        var conflict = await Assert.ThrowsAsync<RecordConflictException>(() => Vendors(vendor.Id).AddAsync(vendor with { AccountName = "other" }));

        Assert.Equal("id", conflict.Field);
    }

    [Fact]
    public async Task ABillingSheetJobKeepsItsStatusAndResultInTheDatabase()
    {
        var date = TestDates.Next();
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var vendor = Vendor(Ids.Next(), loginId);
        await Vendors(vendor.Id).AddAsync(vendor);
        var admin = new AdminRecord(Ids.Next(), "Ada", "Admin", 40, new DateOnly(2020, 1, 15), 1, loginId, new DateOnly(1985, 3, 2));
        await fixture.Grains.RecordOwner<AdminRecord>(admin.Id).AddAsync(admin);
        var billing = new BillingRecord(Ids.Next(), 42.5, "Ada", date, date, "Rep", date, 3, vendor.Id, admin.Id);
        await fixture.Grains.RecordOwner<BillingRecord>(billing.Id).AddAsync(billing);

        var started = await fixture.Grains.GetGrain<IBillingSheetScheduleGrain>(TestDates.Text(date)).StartAsync();
        var done = await fixture.Grains.GetGrain<IBillingSheetJobGrain>(started.JobId).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal((JobStates.Succeeded, 42.5), (done.Status, done.TotalPayable));
        await using var db = fixture.OpenDatabase();
        var row = await db.Set<BillingJobEntity>().SingleAsync(j => j.Id == started.JobId);
        Assert.Equal((JobStates.Succeeded, 42.5, 1, date), (row.Status, row.TotalPayable, row.Lines, row.BillingDate));
        Assert.Equal(done.FinishedAt, row.FinishedAt);
        Assert.Equal(42.5, (await fixture.Grains.GetGrain<IPayableTotalTaskGrain>(TestDates.Text(date)).ComputeAsync()).TotalPayable);
    }

    [Fact]
    public async Task TheDatabaseEnforcesForeignKeys()
    {
        await using var db = fixture.OpenDatabase();
        db.Vendors.Add(Vendor(Ids.Next(), int.MaxValue - 7));

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Equal(StorageErrors.Violation.ForeignKey, StorageErrors.ViolationOf(error));
    }

    [Fact]
    public async Task OneBadRowInAGroupCommitFailsAlone()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var stored = Vendor(Ids.Next(), loginId);
        await Vendors(stored.Id).AddAsync(stored);
        var db = fixture.Database;
        var gate = new GatedScheduler();
        using var meter = new System.Diagnostics.Metrics.Meter("test.group-commit");
        await using var writer = new GroupCommitWriter(db.CreateContext, db.Catalog, db.Inserter, new DatabaseOptions(), gate,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, meter);
        var first = Vendor(Ids.Next(), loginId);
        var orphan = Vendor(Ids.Next(), int.MaxValue - 11);
        var last = Vendor(Ids.Next(), loginId);

        // Queued while the writer is held, so all four land in one batch.
        Task[] writes = [writer.WriteAsync(first, EntityState.Added), writer.WriteAsync(orphan, EntityState.Added),
            writer.WriteAsync(stored with { AccountName = "twin" }, EntityState.Added), writer.WriteAsync(last, EntityState.Added)];
        gate.Open();

        await writes[0];
        var missing = await Assert.ThrowsAsync<MissingReferenceException>(() => writes[1]);
        Assert.Equal([new MissingReference("login_id", "login", int.MaxValue - 11)], missing.References);
        Assert.Equal("id", (await Assert.ThrowsAsync<RecordConflictException>(() => writes[2])).Field);
        await writes[3];
        await using var check = fixture.OpenDatabase();
        Assert.Equal([first.Id, last.Id], await check.Vendors.Where(v => v.Id == first.Id || v.Id == orphan.Id || v.Id == last.Id)
            .OrderBy(v => v.Id).Select(v => v.Id).ToListAsync());
        Assert.Equal(stored.AccountName, (await check.Vendors.SingleAsync(v => v.Id == stored.Id)).AccountName);
    }

    [Fact]
    public async Task AFaultOfOursFailsItsBatchAndTheWriterGoesOn()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var db = fixture.Database;
        using var meter = new System.Diagnostics.Metrics.Meter("test.group-commit-fault");
        await using var writer = new GroupCommitWriter(db.CreateContext, db.Catalog, db.Inserter, new DatabaseOptions(), TaskScheduler.Default,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, meter);

        // Not a row of any table: the model cannot take it, which is a bug of the caller, not a database failure.
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new object(), EntityState.Added).WaitAsync(TimeSpan.FromSeconds(30)));
        var next = Vendor(Ids.Next(), loginId);
        await writer.WriteAsync(next, EntityState.Added).WaitAsync(TimeSpan.FromSeconds(30));

        await using var check = fixture.OpenDatabase();
        Assert.True(await check.Vendors.AnyAsync(v => v.Id == next.Id));
    }

    [Fact]
    public async Task ConcurrentWritesToOneChunkAndToManyAllCommit()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var first = Ids.Chunks(40);
        var oneChunk = Enumerable.Range(first, 300).ToArray();
        var manyChunks = Enumerable.Range(1, 39).SelectMany(c => new[] { first + (c * TableSchema.ChunkSize), first + (c * TableSchema.ChunkSize) + 7 }).ToArray();
        var index = fixture.Grains.TableIndex<VendorRecord>();
        var before = await index.CountAsync();

        await Task.WhenAll(oneChunk.Concat(manyChunks).Select(id => Vendors(id).AddAsync(Vendor(id, loginId))));

        Assert.Equal(before + oneChunk.Length + manyChunks.Length, await index.CountAsync());
        await using var db = fixture.OpenDatabase();
        Assert.Equal(oneChunk.Length + manyChunks.Length, await db.Vendors.CountAsync(v => v.Id >= first && v.Id < first + (40 * TableSchema.ChunkSize)));
    }

    [Fact]
    public async Task AWakingIndexCountsTheChunksFromTheDatabase()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var first = Ids.Chunks(3);
        var index = fixture.Grains.TableIndex<VendorRecord>();
        await using var db = fixture.OpenDatabase();
        // Written past the owners, as a restore or another tool would.
        db.Vendors.AddRange(Vendor(first, loginId), Vendor(first + (2 * TableSchema.ChunkSize) + 3, loginId));
        await db.SaveChangesAsync();

        await fixture.Cluster.DeactivateAsync(index);

        Assert.Equal(await db.Vendors.LongCountAsync(), await index.CountAsync());
        var read = await index.ReadRowsAsync(new ListRead(first - 1, 0, 2), 10);
        Assert.Equal([first, first + (2 * TableSchema.ChunkSize) + 3], read.Rows.Select(v => v.Id));
    }

    private static VendorRecord Vendor(int id, int loginId) =>
        new(id, "Rep", "Doe", $"R{id}", new DateOnly(2022, 1, 1), $"Acct{id}", $"{id:D8}", new DateOnly(2022, 2, 1), loginId);
}

[Collection(SqliteClusterDefinition.Name)]
public sealed class SqliteStorageTests(ClusterFixture fixture) : StorageTests(fixture)
{
    [Fact]
    public async Task SqliteWorkRunsOnItsOwnThreadNeverOnAGrainTurn()
    {
        var db = fixture.SiloService<NewsstandDb>();

        var (thread, scheduler) = await db.ReadAsync(_ => Task.FromResult((Thread.CurrentThread.Name, TaskScheduler.Current)));

        Assert.Equal(NewsstandDb.SqliteReadThreadName, thread);
        Assert.NotSame(TaskScheduler.Default, scheduler);
    }

    [Fact]
    public async Task SqliteWritesAheadAndSyncsEveryCommit()
    {
        await using var db = fixture.OpenDatabase();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();

        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA synchronous;";
        // 2 = FULL: a commit is on disk before SQLite reports it.
        Assert.Equal(2L, (long?)await command.ExecuteScalarAsync());
    }
}

[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresStorageTests(PostgresFixture fixture) : StorageTests(fixture);
