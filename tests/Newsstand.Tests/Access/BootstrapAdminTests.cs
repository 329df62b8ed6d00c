using Microsoft.EntityFrameworkCore;
using Newsstand.Identity;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>The first admin comes from configuration, once.</summary>
[Collection(AccessClusterDefinition.Name)]
public sealed class BootstrapAdminTests(AccessClusterFixture fixture)
{
    [Fact]
    public async Task TheConfiguredAdminIsCreatedAtStartAndNotAgain()
    {
        await AssertOneBootstrapAdminAsync();
        // Another start of a silo (every silo runs it at every start): nothing more.
        var bootstrap = fixture.SiloService<IEnumerable<ILifecycleParticipant<ISiloLifecycle>>>().OfType<BootstrapAdmin>().Single();
        await bootstrap.EnsureAsync(CancellationToken.None);
        await bootstrap.EnsureAsync(CancellationToken.None);
        await AssertOneBootstrapAdminAsync();
    }

    private async Task AssertOneBootstrapAdminAsync()
    {
        await using var db = fixture.OpenDatabase();
        var login = await db.Logins.SingleAsync(l => l.Username == AccessClusterFixture.AdminUsername);
        Assert.Equal(1, await db.Admins.CountAsync(a => a.LoginId == login.Id));
        Assert.Equal(1, await db.Admins.CountAsync(a => a.Firstname == "Bootstrap"));
        Assert.DoesNotContain(LogCapture.Shared.Lines, line => line.Contains(AccessClusterFixture.AdminPassword, StringComparison.Ordinal));
    }
}
