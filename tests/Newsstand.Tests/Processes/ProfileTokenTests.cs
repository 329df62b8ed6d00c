using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Newsstand.Tests.Infrastructure;
using Npgsql;

namespace Newsstand.Tests.Processes;

/// <summary>
/// Profile tokens in a cluster whose silos, like pods, each have a data folder of their own, and whose key ring
/// is encrypted at rest with a certificate every silo is given (<c>ProfileKeys:CertificatePath</c>).
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class ProfileTokenTests : IDisposable
{
    private static readonly TimeSpan FailoverBudget = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("nsms-keys-").FullName;

    [Fact]
    public async Task ATokenMadeOnOneSiloDecryptsOnAnotherAndTheStoredKeysAreEncrypted()
    {
        var password = TestCertificates.NewPassword();
        var (path, certificate) = TestCertificates.Make(_folder, "nsms-test-profile-keys", password);
        await using var cluster = await ProcessCluster.StartAsync(silos: 1, environment: new Dictionary<string, string>
        {
            ["ProfileKeys__CertificatePath"] = path,
            ["ProfileKeys__CertificatePassword"] = password,
        });
        using var http = new HttpClient { BaseAddress = cluster.ClientUrl, Timeout = TimeSpan.FromSeconds(20) };
        var login = 800_000 + Random.Shared.Next(99_999);
        (await http.PostAsync("/ch08/login/add", JsonContent.Create(Bodies.Login(login)))).EnsureSuccessStatusCode();
        (await http.PostAsync("/ch08/admin/add", JsonContent.Create(Bodies.Admin(login, login)))).EnsureSuccessStatusCode();
        var profiles = (await http.GetFromJsonAsync<JsonObject>("/ch08/admin/login/list/enc"))!;
        var token = (string)profiles["profiles"]!.AsArray().Single(p => (int)p!["admin_id"]! == login)!["token"]!;

        // The key's secret is stored only encrypted, for the configured certificate.
        var keys = await StoredKeysAsync(cluster.Database);
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName == "masterKey");
            var encrypted = Assert.Single(key.Descendants(), e => e.Name.LocalName == "encryptedSecret");
            // Encrypted for this certificate: the XML names it by its bytes.
            Assert.Contains(Convert.ToBase64String(certificate.RawData), encrypted.ToString(SaveOptions.DisableFormatting), StringComparison.Ordinal);
        });

        // The silo that encrypted goes away; a silo that joined later, with a data folder of its own, decrypts.
        await cluster.StartAnotherSiloAsync();
        cluster.Silos[0].Host.Kill();
        var decrypted = await DecryptOnceTheClusterAnswersAsync(http, token);

        Assert.True(decrypted.Status == HttpStatusCode.OK, $"{(int)decrypted.Status}: {decrypted.Body}\n{cluster.Client.Output}\n{cluster.Silos[1].Host.Output}");
        Assert.Equal(login, (int)JsonNode.Parse(decrypted.Body)!["admin_id"]!);
    }

    private static async Task<List<XElement>> StoredKeysAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT xml FROM profile_key", connection);
        var keys = new List<XElement>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(XElement.Parse(reader.GetString(0)));
        }
        return keys;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

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
