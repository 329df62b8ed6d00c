using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Messaging;
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
        await using var writer = WriterOf(db, gate, meter);
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
    public async Task AWriterWhosePreparedInsertFailedCommitsItsNextInsertsAtOnce()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var db = fixture.Database;
        using var meter = new System.Diagnostics.Metrics.Meter("test.group-commit-prepared");
        await using var writer = WriterOf(db, TaskScheduler.Default, meter);
        var before = Vendor(Ids.Next(), loginId);
        var orphan = Vendor(Ids.Next(), int.MaxValue - 13);
        var after = Vendor(Ids.Next(), loginId);
        var again = Vendor(Ids.Next(), loginId);

        // One row per commit: each runs the statement the first one prepared. A statement of the failed commit left on
        // the connection would hold SQLite's write lock, and the next commit would wait out the busy timeout (30 s).
        await writer.WriteAsync(before, EntityState.Added).WaitAsync(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAsync<MissingReferenceException>(() => writer.WriteAsync(orphan, EntityState.Added).WaitAsync(TimeSpan.FromSeconds(20)));
        await writer.WriteAsync(after, EntityState.Added).WaitAsync(TimeSpan.FromSeconds(20));
        await writer.WriteAsync(again, EntityState.Added).WaitAsync(TimeSpan.FromSeconds(20));

        await using var check = fixture.OpenDatabase();
        Assert.Equal([before.Id, after.Id, again.Id], await check.Vendors.Where(v => v.Id == before.Id || v.Id == orphan.Id || v.Id == after.Id || v.Id == again.Id)
            .OrderBy(v => v.Id).Select(v => v.Id).ToListAsync());
    }

    [Fact]
    public async Task AFaultOfOursFailsItsBatchAndTheWriterGoesOn()
    {
        var loginId = Ids.Next();
        await Logins(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var db = fixture.Database;
        using var meter = new System.Diagnostics.Metrics.Meter("test.group-commit-fault");
        await using var writer = WriterOf(db, TaskScheduler.Default, meter);

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

    private protected static VendorRecord Vendor(int id, int loginId) =>
        new(id, "Rep", "Doe", $"R{id}", new DateOnly(2022, 1, 1), $"Acct{id}", $"{id:D8}", new DateOnly(2022, 2, 1), loginId);

    /// <summary>A group commit writer of its own on the fixture's database, on <paramref name="scheduler"/>.</summary>
    private static GroupCommitWriter WriterOf(NewsstandDb db, TaskScheduler scheduler, System.Diagnostics.Metrics.Meter meter) =>
        new(db.CreateContext, db.Catalog, db.Inserter, db.Updater, new DatabaseOptions(), scheduler,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, meter);
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

    [Fact]
    public async Task EverySqliteConnectionIsSetToSyncEachCommitWhenItOpensWhateverItsLastUserLeft()
    {
        // A pooled connection that someone turned to synchronous=OFF goes back to the pool...
        await using (var careless = fixture.OpenDatabase())
        {
            await careless.Database.OpenConnectionAsync();
            await careless.Database.ExecuteSqlRawAsync("PRAGMA synchronous=OFF;");
        }

        // ...and the next context (the writer's are the same kind) finds it set to FULL again.
        await using var next = fixture.OpenDatabase();
        await next.Database.OpenConnectionAsync();
        await using var command = next.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(2L, (long?)await command.ExecuteScalarAsync());
    }
}

[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresStorageTests(PostgresFixture fixture) : StorageTests(fixture)
{
    [Fact]
    public async Task APostgresServerWhoseCommitsDoNotWaitForTheDiskIsNamedInAWarningAtStart()
    {
        await using var database = await ScratchDatabase.CreateAsync("nsms_sync_");
        var lines = new List<string>();

        await MigrateAsync(database.ConnectionString, lines);
        await MigrateAsync(database.ConnectionString + ";Options=-c synchronous_commit=off", lines);

        var warning = Assert.Single(lines, l => l.Contains("synchronous_commit", StringComparison.Ordinal));
        Assert.StartsWith("Warning:", warning, StringComparison.Ordinal);
        Assert.Equal(2, lines.Count(l => l.Contains("schema is up to date", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AGroupCommitOfPlainRowsIsOneRoundTripToTheServerWithOrWithoutAConditionalRow()
    {
        var loginId = Ids.Next();
        await fixture.Grains.LoginOwner(loginId).AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var topic = "test-" + Guid.NewGuid().ToString("N")[..12];
        await fixture.SiloService<NewsstandDb>().InsertAsync(new TopicCheckpoint(topic, 0, 0));
        await using var context = fixture.OpenDatabase();
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(context.Database.GetConnectionString());
        await using var relay = CommitCutter.Start(direct.Host!, direct.Port);
        await using var db = new NewsstandDb(Microsoft.Extensions.Options.Options.Create(new DatabaseOptions
        {
            Postgres = new Npgsql.NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ToString(),
        }), Microsoft.Extensions.Logging.Abstractions.NullLogger<NewsstandDb>.Instance, fixture.SiloService<System.Diagnostics.Metrics.IMeterFactory>());
        using var meter = new System.Diagnostics.Metrics.Meter("test.group-commit-round-trips");
        await using var writer = new GroupCommitWriter(db.CreateContext, db.Catalog, db.Inserter, db.Updater, new DatabaseOptions(), TaskScheduler.Default,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, meter);
        // The first commit opens the writer's connection (start-up and type loading take round trips of their own).
        await writer.WriteAsync(Vendor(Ids.Next(), loginId), EntityState.Added);

        var before = relay.RoundTrips;
        await writer.WriteUnitAsync([new WriteRow(Vendor(Ids.Next(), loginId), EntityState.Added), new WriteRow(Vendor(Ids.Next(), loginId), EntityState.Added)]);
        var insertsAlone = relay.RoundTrips - before;
        before = relay.RoundTrips;
        await writer.WriteUnitAsync([new WriteRow(Vendor(Ids.Next(), loginId), EntityState.Added),
            new WriteRow(new TopicCheckpoint(topic, 0, 1), EntityState.Modified, new TopicCheckpoint(topic, 0, 0))]);
        var withConditionalRow = relay.RoundTrips - before;

        Assert.Equal((1, 1), (insertsAlone, withConditionalRow));
        await using var check = fixture.OpenDatabase();
        Assert.Equal(1, (await check.Set<TopicCheckpoint>().SingleAsync(c => c.Topic == topic)).Position);
    }

    /// <summary>Runs the silo's start-up migration against <paramref name="connection"/>, writing its log lines to <paramref name="lines"/>.</summary>
    private async Task MigrateAsync(string connection, List<string> lines)
    {
        var meters = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Primary!.SiloAddress).GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        await using var db = new NewsstandDb(Microsoft.Extensions.Options.Options.Create(new DatabaseOptions { Postgres = connection }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<NewsstandDb>.Instance, meters);
        var lifecycle = new OneStageLifecycle();
        new DatabaseMigrator(db, new ListLogger<DatabaseMigrator>(lines)).Participate(lifecycle);
        await lifecycle.StartAsync();
    }

    private sealed class ListLogger<T>(List<string> lines) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add($"{logLevel}: {formatter(state, exception)}");
    }

    /// <summary>A silo lifecycle that only runs what subscribed to it, in stage order.</summary>
    private sealed class OneStageLifecycle : ISiloLifecycle
    {
        private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

        public int HighestCompletedStage { get; private set; }

        public int LowestStoppedStage { get; private set; }

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add((stage, observer));
            return new Unsubscriber();
        }

        public async Task StartAsync()
        {
            foreach (var (stage, observer) in _observers.OrderBy(o => o.Stage))
            {
                await observer.OnStart(CancellationToken.None);
                HighestCompletedStage = stage;
            }
        }

        private sealed class Unsubscriber : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
