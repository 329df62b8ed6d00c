using System.Text.Json;
using System.Text.Json.Nodes;
using Newsstand.Grains;
using Newsstand.Records;
using Orleans.Concurrency;

namespace Newsstand.Tables;

/// <summary>
/// Admins, each joined with its login (never a hash): a batch of admins from the admin index, then their
/// logins from the login chunks that own them, all fetched at once. Holds no state, so every silo runs
/// its own copies.
/// </summary>
[StatelessWorker]
internal sealed class AdminLoginListGrain : Grain, IAdminLoginListGrain
{
    public async Task<ListSlice> ReadJsonAsync(ListRead read)
    {
        var admins = await GrainFactory.TableIndex<AdminRecord>().ReadRowsAsync(read, TableIndexGrain<AdminRecord>.SliceRows);
        var lookups = admins.Rows.Select(a => a.LoginId).Distinct().GroupBy(TableSchema.ChunkOf)
            .Select(chunk => GrainFactory.TableChunk<LoginView>(chunk.Key).FindAsync([.. chunk]));
        var logins = (await Task.WhenAll(lookups)).SelectMany(found => found).ToDictionary(login => login.Id);
        var joined = new JsonArray();
        foreach (var admin in admins.Rows)
        {
            var item = JsonSerializer.SerializeToNode(admin, NewsstandJson.Options)!.AsObject();
            item["login"] = logins.TryGetValue(admin.LoginId, out var login) ? JsonSerializer.SerializeToNode(login, NewsstandJson.Options) : null;
            joined.Add(item);
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(joined, NewsstandJson.Options);
        return new ListSlice(json[1..^1], admins.Rows.Length, admins.Rows.Length > 0 ? admins.Rows[^1].Id : read.AfterId, admins.Done);
    }
}
