using Orleans.Concurrency;
using System.Text.Json;
using System.Text.Json.Nodes;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Tables;

/// <summary>Owner of the admin table; also answers the admin-with-login list.</summary>
[Reentrant] // Same reasoning as the other table owners (see RecordTableGrains.cs).
internal sealed class AdminTableGrain(NewsstandDb db) : TableGrain<AdminRecord>(db), IAdminTableGrain
{
    protected override string Table => "admin";

    protected override IEnumerable<Reference> References(AdminRecord r) =>
        [Reference.To<ILoginTableGrain>("login_id", "login", r.LoginId)];

    public async Task<byte[]> ListWithLoginsJsonAsync(Page page)
    {
        var admins = Rows.Slice(page);
        var logins = (await GrainFactory.GetGrain<ILoginTableGrain>(TableGrainKey.Value).ListAsync()).ToDictionary(l => l.Id);
        var result = new JsonArray();
        foreach (var admin in admins)
        {
            var item = JsonSerializer.SerializeToNode(admin, NewsstandJson.Options)!.AsObject();
            item["login"] = logins.TryGetValue(admin.LoginId, out var login)
                ? JsonSerializer.SerializeToNode(login, NewsstandJson.Options)
                : null;
            result.Add(item);
        }
        return JsonSerializer.SerializeToUtf8Bytes(result, NewsstandJson.Options);
    }
}
