using Microsoft.EntityFrameworkCore;
using Newsstand.Data;
using Newsstand.Errors;
using Newsstand.Grains;
using Newsstand.Records;
using Newsstand.Security;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// Owner of the login table. Hashes run on the <see cref="HashingLane"/>; this grain only awaits them,
/// so while one login is being hashed the grain keeps serving lists and other writes.
/// </summary>
[Reentrant] // State changes only after a commit, in one synchronous step; ids and usernames being written are reserved.
internal sealed class LoginTableGrain(NewsstandDb db, HashingLane lane, PasswordHasher hasher) : Grain, ILoginTableGrain
{
    private const string Table = "login";

    private readonly Dictionary<int, string> _hashes = [];
    private readonly Dictionary<string, int> _idsByUsername = new(StringComparer.Ordinal);
    private readonly HashSet<int> _writingIds = [];
    private readonly HashSet<string> _writingUsernames = new(StringComparer.Ordinal);
    private SortedRows<LoginView> _rows = SortedRows<LoginView>.Empty;
    private string? _decoyHash;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var logins = await db.RunAsync(context => context.Logins.ToListAsync(cancellationToken));
        foreach (var login in logins)
        {
            _hashes[login.Id] = login.Password;
            _idsByUsername[login.Username] = login.Id;
        }
        _rows = SortedRows<LoginView>.From(logins.Select(View));
    }

    public async Task<LoginView> AddAsync(NewLogin login)
    {
        if (_rows.Contains(login.Id) || _writingIds.Contains(login.Id))
        {
            throw new RecordConflictException("id", $"login {login.Id} already exists.");
        }
        EnsureUsernameFree(login.Username, login.Id);
        Reserve(login);
        try
        {
            var hash = await lane.RunAsync(() => hasher.Hash(login.Password));
            var entity = new LoginEntity { Id = login.Id, Username = login.Username, Password = hash, UserType = login.UserType };
            await db.RunAsync(context =>
            {
                context.Logins.Add(entity);
                return DbWriteErrors.SaveAsync(context, Table);
            });
            Publish(entity);
            return View(entity);
        }
        finally
        {
            Release(login);
        }
    }

    public async Task<LoginView> UpdateAsync(NewLogin login)
    {
        var current = _rows.Find(login.Id) ?? throw new RecordNotFoundException(Table, login.Id);
        if (_writingIds.Contains(login.Id))
        {
            throw new RecordConflictException("id", $"login {login.Id} is being written by another request; retry.");
        }
        if (login.Username != current.Username)
        {
            EnsureUsernameFree(login.Username, login.Id);
        }
        Reserve(login);
        try
        {
            var hash = await lane.RunAsync(() => hasher.Hash(login.Password));
            try
            {
                await db.RunAsync(context => context.Logins.Where(l => l.Id == login.Id).ExecuteUpdateAsync(set => set
                    .SetProperty(l => l.Username, login.Username)
                    .SetProperty(l => l.Password, hash)
                    .SetProperty(l => l.UserType, login.UserType)));
            }
            catch (Exception ex) when (DbWriteErrors.Translate(ex, Table) is { } domain)
            {
                throw domain;
            }
            _idsByUsername.Remove(current.Username);
            var entity = new LoginEntity { Id = login.Id, Username = login.Username, Password = hash, UserType = login.UserType };
            Publish(entity);
            return View(entity);
        }
        finally
        {
            Release(login);
        }
    }

    public async Task<LoginView?> VerifyAsync(LoginCredentials credentials)
    {
        var found = _idsByUsername.TryGetValue(credentials.Username, out var id);
        // An unknown username costs a full hash too, so timing does not tell which usernames exist.
        var stored = found ? _hashes[id] : _decoyHash ??= await lane.RunAsync(() => hasher.Hash(Guid.NewGuid().ToString()));
        var matches = await lane.RunAsync(() => PasswordHasher.Verify(credentials.Password, stored));
        return found && matches ? _rows.Find(id) : null;
    }

    public Task<byte[]> ListJsonAsync(Page page) => Task.FromResult(_rows.Json(page));

    public Task<LoginView[]> ListAsync() => Task.FromResult(_rows.All.ToArray());

    public Task<bool> ContainsAsync(int id) => Task.FromResult(_rows.Contains(id));

    private void EnsureUsernameFree(string username, int id)
    {
        if ((_idsByUsername.TryGetValue(username, out var owner) && owner != id) || _writingUsernames.Contains(username))
        {
            throw new RecordConflictException("username", $"The username '{username}' is taken.");
        }
    }

    private void Reserve(NewLogin login)
    {
        _writingIds.Add(login.Id);
        _writingUsernames.Add(login.Username);
    }

    private void Release(NewLogin login)
    {
        _writingIds.Remove(login.Id);
        _writingUsernames.Remove(login.Username);
    }

    private void Publish(LoginEntity entity)
    {
        _hashes[entity.Id] = entity.Password;
        _idsByUsername[entity.Username] = entity.Id;
        _rows = _rows.With(View(entity));
    }

    private static LoginView View(LoginEntity entity) => new(entity.Id, entity.Username, entity.UserType);
}
