using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Access;

/// <summary>
/// A person on <c>/docs</c> (Debian's headless Chromium) signs in through the page's OAuth2 password flow as the
/// bootstrap admin and calls an admin route from the page: the real web client on Kestrel, <c>Auth:Mode=Required</c>.
/// </summary>
[Collection(AccessClusterDefinition.Name)]
public sealed class DocsSignInTests(AccessClusterFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private const float PageTimeout = 30_000;

    [Fact]
    public async Task TheDocsPageSignsInWithThePasswordFlowAndCallsAnAdminRoute()
    {
        await using var web = KestrelWebClient.Start(fixture.CreateWebClient(AccessClusterFixture.RequiredSettings));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(PageTimeout);
        Assert.Equal(200, (await page.GotoAsync(new Uri(web.Address, "/docs/").ToString()))?.Status);

        // The page's authentication box offers the document's OAuth2 scheme, whose password flow asks for a login.
        await page.GetByText("Select Auth Type").First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "OAuth2" }).ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Username" }).FillAsync(AccessClusterFixture.AdminUsername);
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Password", Exact = true }).FillAsync(AccessClusterFixture.AdminPassword);
        var signIn = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Authorize" }).ClickAsync(),
            response => response.Url.EndsWith("/ch08/login/token", StringComparison.Ordinal));
        Assert.Equal(200, signIn.Status);
        await Assertions.Expect(page.GetByText("Access Token").First).ToBeVisibleAsync();

        // An admin route, tried from its operation on the page: the page sends the token, the route answers 200.
        await page.GetByRole(AriaRole.Button, new() { Name = "Logins" }).First.ClickAsync();
        await page.GetByText("Logins ordered by id, without passwords or hashes").First.ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Test Request (get /ch08/login/list/all)" }).ClickAsync();
        var call = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Send") }).First.ClickAsync(),
            response => response.Url.EndsWith("/ch08/login/list/all", StringComparison.Ordinal) && response.Request.Method == "GET");
        Assert.Equal(200, call.Status);
        Assert.StartsWith("Bearer ey", await call.Request.HeaderValueAsync("authorization"), StringComparison.Ordinal);
        Assert.Contains($"\"username\":\"{AccessClusterFixture.AdminUsername}\"", await call.TextAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.GetByText("200 OK").First).ToBeVisibleAsync();
        // Kept beside the test output; docs/images/docs-sign-in.png is a copy of it.
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "docs-sign-in.png"), Animations = ScreenshotAnimations.Disabled });
    }
}
