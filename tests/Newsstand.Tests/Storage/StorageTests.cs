using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Tables;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Storage;

/// <summary>The storage contract, run once on SQLite and once on PostgreSQL.</summary>
public abstract class StorageTests(IStorageFixture fixture)
{
    private ILoginTableGrain Logins => fixture.Grains.GetGrain<ILoginTableGrain>(TableGrainKey.Value);

    private IVendorTableGrain Vendors => fixture.Grains.GetGrain<IVendorTableGrain>(TableGrainKey.Value);

    [Fact]
    public async Task ARowIsCommittedWhenItsOwnerAnswers()
    {
        var loginId = Ids.Next();
        var vendor = Vendor(Ids.Next(), loginId);
        await Logins.AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 2));
        await Vendors.AddAsync(vendor);

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
        await Logins.AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        var direct = Vendor(Ids.Next(), loginId);
        await using (var db = fixture.OpenDatabase())
        {
            db.Vendors.Add(direct);
            await db.SaveChangesAsync();
        }

        await fixture.Cluster.DeactivateAsync(Vendors);

        var listed = JsonSerializer.Deserialize<VendorRecord[]>(await Vendors.ListJsonAsync(Page.All), NewsstandJson.Options)!;
        Assert.Contains(direct, listed);
    }

    [Fact]
    public async Task TheDatabaseRefusesADuplicateKeyTheOwnerDidNotKnowAbout()
    {
        var loginId = Ids.Next();
        await Logins.AddAsync(new NewLogin(loginId, $"user{loginId}", "pw", 1));
        await Vendors.ContainsAsync(0);
        var vendor = Vendor(Ids.Next(), loginId);
        await using (var db = fixture.OpenDatabase())
        {
            db.Vendors.Add(vendor);
            await db.SaveChangesAsync();
        }

        var conflict = await Assert.ThrowsAsync<RecordConflictException>(() => Vendors.AddAsync(vendor with { AccountName = "other" }));

        Assert.Equal("id", conflict.Field);
    }

    [Fact]
    public async Task TheDatabaseEnforcesForeignKeys()
    {
        await using var db = fixture.OpenDatabase();
        db.Vendors.Add(Vendor(Ids.Next(), int.MaxValue - 7));

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Equal("reference", Assert.IsType<RecordConflictException>(DbWriteErrors.Translate(error.InnerException, "vendor")).Field);
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

        var (thread, scheduler) = await db.RunAsync(_ => Task.FromResult((Thread.CurrentThread.Name, TaskScheduler.Current)));

        Assert.Equal(NewsstandDb.SqliteThreadName, thread);
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
