using Microsoft.Playwright;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Messaging;

/// <summary>
/// The messenger feed from a browser's standard <c>EventSource</c> (Debian's chromium through Playwright), the way a
/// web page would use it: <c>addEventListener('messenger.added', ...)</c> on the fixed name receives the event.
/// </summary>
[Collection(SqliteClusterDefinition.Name)]
public sealed class MessengerEventSourceTests(ClusterFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task ABrowserEventSourceReceivesAnAddedMessengerByItsFixedName()
    {
        await using var web = fixture.CreateKestrelClient();
        var (_, vendorId) = await fixture.Http.AddLoginAndVendorAsync();
        var id = Ids.Next();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        // A page of the service's own origin, so the event source is same-origin as a page served beside the API would be.
        await page.GotoAsync(new Uri(web.Address, "/health/live").ToString());

        await page.EvaluateAsync("""
            () => new Promise((opened, failed) => {
                window.added = [];
                const source = new EventSource('/ch08/messenger/sse/add');
                source.addEventListener('messenger.added', e => window.added.push(JSON.parse(e.data)));
                source.onopen = opened;
                source.onerror = () => failed('the event source failed');
            })
            """);
        using var sent = await web.Http.PostAsync("/ch08/messenger/kafka/send", Bodies.Messenger(id, vendorId));
        sent.EnsureSuccessStatusCode();

        await page.WaitForFunctionAsync($"() => window.added.some(d => d.messenger.id === {id})");
        var status = await page.EvaluateAsync<bool>($"() => window.added.find(d => d.messenger.id === {id}).status");
        var received = await page.EvaluateAsync<string>($"() => window.added.find(d => d.messenger.id === {id}).received_at");
        Assert.True(status);
        Assert.False(string.IsNullOrEmpty(received));
    }
}
