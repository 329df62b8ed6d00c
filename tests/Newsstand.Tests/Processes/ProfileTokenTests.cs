using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Processes;

/// <summary>Profile tokens in a cluster whose silos, like pods, each have a data folder of their own.</summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class ProfileTokenTests
{
    private static readonly TimeSpan FailoverBudget = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ATokenMadeOnOneSiloDecryptsOnAnother()
    {
        await using var cluster = await ProcessCluster.StartAsync(silos: 1);
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
        var login = 800_000 + Random.Shared.Next(99_999);
        (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(login)))).EnsureSuccessStatusCode();
        (await http.PostAsync("/ch08/admin/add", JsonContent.Create(Bodies.Admin(login, login)))).EnsureSuccessStatusCode();
        var profiles = (await http.GetFromJsonAsync<JsonObject>("/ch08/admin/login/list/enc"))!;
        var token = (string)profiles["profiles"]!.AsArray().Single(p => (int)p!["admin_id"]! == login)!["token"]!;

        // The silo that encrypted goes away; a silo that joined later, with a data folder of its own, decrypts.
        await cluster.StartAnotherSiloAsync();
        cluster.Silos[0].Host.Kill();
        var decrypted = await DecryptOnceTheClusterAnswersAsync(http, token);

        Assert.True(decrypted.Status == HttpStatusCode.OK, $"{(int)decrypted.Status}: {decrypted.Body}\n{cluster.Client.Output}\n{cluster.Silos[1].Host.Output}");
        Assert.Equal(login, (int)JsonNode.Parse(decrypted.Body)!["admin_id"]!);
    }

    /// <summary>Until the dead silo is declared dead, calls routed to it answer 503; the first other answer counts.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> DecryptOnceTheClusterAnswersAsync(HttpClient http, string token)
    {
        using var budget = new CancellationTokenSource(FailoverBudget);
        while (true)
        {
            using var response = await http.PostAsync("/ch08/admin/login/dec", JsonContent.Create(new JsonObject { ["token"] = token }), budget.Token);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return (response.StatusCode, await response.Content.ReadAsStringAsync(budget.Token));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), budget.Token);
        }
    }
}
