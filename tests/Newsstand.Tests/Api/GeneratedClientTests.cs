using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Api;

/// <summary>
/// A client nobody here wrote: Kiota (the repository's local dotnet tool) generates a C# client from the document
/// the web client serves, into a temporary directory beside the probe program of <c>tests/GeneratedClient</c>; the
/// build must pass with warnings as errors, and the probe calls every kind of route through the generated code over
/// real HTTP: JSON in and out, a HEAD, the admin list, the CSV download, and problem answers typed with <c>errors</c>.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class GeneratedClientTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AKiotaClientCallsEveryKindOfRoute()
    {
        await using var web = fixture.CreateKestrelClient();
        var work = Directory.CreateTempSubdirectory("nsms-kiota-");
        try
        {
            var document = Path.Combine(work.FullName, "openapi.json");
            await File.WriteAllTextAsync(document, await web.Http.GetStringAsync("/openapi/v1.json"));
            foreach (var file in Directory.EnumerateFiles(Repository.PathOf("tests", "GeneratedClient")))
            {
                File.Copy(file, Path.Combine(work.FullName, Path.GetFileName(file)));
            }
            await InRepository("dotnet", "tool", "restore");
            await InRepository("dotnet", "kiota", "generate", "--language", "CSharp", "--openapi", document, "--output", Path.Combine(work.FullName, "Generated"),
                "--class-name", "NsmsClient", "--namespace-name", "Nsms.Generated", "--log-level", "Error");
            await Commands.RunAsync("dotnet", "build", Path.Combine(work.FullName, "GeneratedClientProbe.csproj"), "-c", "Release", "--nologo", "-v", "quiet");

            var id = Ids.Next();
            var output = await Commands.RunAsync("dotnet", Path.Combine(work.FullName, "bin", "Release", "net10.0", "GeneratedClientProbe.dll"),
                web.Address.ToString().TrimEnd('/'), id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var seen = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);

            Assert.Equal($"kiota{id}", seen["login.username"]);
            Assert.Equal("Kiota", seen["vendor.rep_firstname"]);
            Assert.Equal("True", seen["vendors.contains"]);
            Assert.Equal($"kiota{id}", seen["admins.login"]);
            Assert.Equal("ok", seen["head"]);
            Assert.Equal("succeeded", seen["job.status"]);
            Assert.Equal("True", seen["csv.has_vendor"]);
            Assert.Equal("400", seen["problem.status"]);
            Assert.Equal("date_consigned,rep_date_employed,rep_firstname,rep_lastname", seen["problem.errors"]);
            Assert.Equal("True", seen["problem.trace_id"]);
            Assert.Equal("409", seen["conflict.status"]);
            Assert.Equal("id", seen["conflict.errors"]);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    // dotnet finds the tool manifest (.config/dotnet-tools.json) from the working directory.
    private static Task<(string Output, string Errors)> InRepository(string command, params string[] arguments) => Commands.RunInAsync(Repository.Root, command, arguments);
}
