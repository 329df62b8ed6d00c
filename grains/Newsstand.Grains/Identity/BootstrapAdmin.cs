using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Hosting;
using Newsstand.Records;

namespace Newsstand.Identity;

/// <summary>The first admin's account (section <c>Auth:BootstrapAdmin</c>); both unset: no bootstrap.</summary>
public sealed class BootstrapAdminOptions
{
    public const string SectionName = "Auth:BootstrapAdmin";

    public string? Username { get; set; }

    /// <summary>From the environment or a mounted secret, never the repository; never logged.</summary>
    public string? Password { get; set; }
}

/// <summary>
/// When the silo is up and no admin exists yet, creates the configured login (unless a login of that username
/// exists: then that one) and an admin row referencing it, through the grains that own those rows. Once an admin
/// exists it does nothing, so it runs on every start of every silo; two silos starting at once meet a conflict
/// on the id or the username, and the loser looks again.
/// </summary>
internal sealed partial class BootstrapAdmin(NewsstandDb db, IGrainFactory grains, IOptions<BootstrapAdminOptions> options, ILogger<BootstrapAdmin> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BootstrapAdmin), ServiceLifecycleStage.Active, EnsureAsync);

    internal async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.Username) || string.IsNullOrEmpty(settings.Password))
        {
            return;
        }
        if ((Usernames.Problem(settings.Username) ?? PasswordPolicy.Problem(settings.Password, settings.Username)) is { } problem)
        {
            throw new StartupCheckException($"Auth:BootstrapAdmin: {problem}");
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CreateUnlessAnAdminExistsAsync(settings.Username, settings.Password);
                return;
            }
            catch (RecordConflictException) when (attempt < 5)
            {
                // Another silo (or a caller) took the id or the name meanwhile: look again.
            }
        }
    }

    private async Task CreateUnlessAnAdminExistsAsync(string username, string password)
    {
        if (await db.ReadAsync(context => context.Admins.AnyAsync()))
        {
            return;
        }
        var canonical = Usernames.Canonical(username);
        var loginId = await db.ReadAsync(context => context.Logins.Where(l => l.Username == canonical).Select(l => (int?)l.Id).FirstOrDefaultAsync());
        if (loginId is null)
        {
            var id = (await db.ReadAsync(context => context.Logins.MaxAsync(l => (int?)l.Id)) ?? 0) + 1;
            await grains.LoginOwner(id).AddAsync(new NewLogin(id, username, password, 1));
            loginId = id;
        }
        var adminId = (await db.ReadAsync(context => context.Admins.MaxAsync(a => (int?)a.Id)) ?? 0) + 1;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await grains.RecordOwner<AdminRecord>(adminId).AddAsync(new AdminRecord(adminId, "Bootstrap", "Admin", 0, today, 1, loginId.Value, today));
        LogCreated(loginId.Value, adminId);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the bootstrap admin: login {LoginId}, admin {AdminId} (from Auth:BootstrapAdmin).")]
    private partial void LogCreated(int loginId, int adminId);
}
