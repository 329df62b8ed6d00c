using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Newsstand.Tests.Processes;

/// <summary>
/// The Orleans dashboard of a running three-silo cluster (real processes), opened in Debian's headless
/// Chromium through its authenticated admin port.
/// </summary>
[Collection(ProcessTestsDefinition.Name)]
public sealed class DashboardTests(DashboardCluster fixture) : IClassFixture<DashboardCluster>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly float PageTimeout = 60_000;
    private readonly DashboardAccount _account = fixture.Account;
    private readonly ProcessCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task DashboardShowsEverySiloAndOurGrainTypes()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        await using var context = await browser.NewContextAsync(new()
        {
            HttpCredentials = new() { Username = _account.Username, Password = _account.Password },
            ViewportSize = new() { Width = 1400, Height = 1000 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(PageTimeout);

        var dashboard = new Uri(_cluster.Silos[0].AdminUrl, "/dashboard/");
        var response = await page.GotoAsync(dashboard.ToString());
        Assert.Equal(200, response?.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(new Regex($@"Active Silos\s*{_cluster.Silos.Count}(?![0-9])"), new() { Timeout = PageTimeout });
        await page.ScreenshotAsync(new() { Path = Screenshot("overview"), FullPage = true });

        await page.GotoAsync(new Uri(dashboard, "#/silos").ToString());
        foreach (var silo in _cluster.Silos)
        {
            await Assertions.Expect(page.GetByText($"127.0.0.1:{silo.SiloPort}").First).ToBeVisibleAsync(new() { Timeout = PageTimeout });
            await Assertions.Expect(page.GetByText(silo.Name, new() { Exact = true }).First).ToBeVisibleAsync(new() { Timeout = PageTimeout });
        }
        await page.ScreenshotAsync(new() { Path = Screenshot("silos"), FullPage = true });

        // Our grains activated at start (cache warm-up); the page lists each type by its class name.
        await using var management = await ManagementClient.ConnectAsync(_cluster);
        var ours = await management.ActivatedNewsstandGrainClassesAsync();
        Assert.NotEmpty(ours);
        await page.GotoAsync(new Uri(dashboard, "#/grains").ToString());
        foreach (var grainClass in ours)
        {
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync(grainClass, new() { Timeout = PageTimeout });
        }
        await page.ScreenshotAsync(new() { Path = Screenshot("grains"), FullPage = true });
    }

    [Fact]
    public async Task TheAdminPortAnswersAnonymousAndWrongCredentialsWith401()
    {
        using var http = new HttpClient { BaseAddress = _cluster.Silos[1].AdminUrl };
        using var anonymous = await http.GetAsync("/dashboard/");
        using var wrong = await http.SendAsync(WithCredentials("/dashboard/", _account.Username, _account.Password + "x"));
        using var right = await http.SendAsync(WithCredentials("/dashboard/DashboardCounters", _account.Username, _account.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("silo-3", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnAdminPortTheDashboardIsNotServedOnTheSiloWebPort()
    {
        using var http = new HttpClient { BaseAddress = _cluster.Silos[0].WebUrl };
        using var anonymous = await http.GetAsync("/dashboard/");
        using var signedIn = await http.SendAsync(WithCredentials("/dashboard/", _account.Username, _account.Password));
        using var health = await http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    // Kept beside the test output for a look; docs/ holds a copy taken by hand.
    private static string Screenshot(string name) => Path.Combine(AppContext.BaseDirectory, $"dashboard-{name}.png");

    private static HttpRequestMessage WithCredentials(string path, string username, string password) => new(HttpMethod.Get, path)
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"))) },
    };
}

/// <summary>One three-silo cluster whose silos serve the dashboard on admin ports, for all dashboard tests.</summary>
public sealed class DashboardCluster : IAsyncLifetime
{
    internal DashboardAccount Account { get; } = new("operator", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));

    internal ProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ProcessCluster.StartAsync(silos: 3, Account);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
