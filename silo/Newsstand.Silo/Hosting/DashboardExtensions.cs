using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Newsstand.Hosting;
using Orleans.Dashboard;

namespace Newsstand.Silo.Hosting;

/// <summary>
/// The Orleans dashboard on the silo's web host, protected (see <see cref="DashboardAccessOptions"/>):
/// loopback-only without configuration; on a configured admin URL only, with authentication.
/// </summary>
internal static class DashboardExtensions
{
    public const string RoutePrefix = "/dashboard";
    private const string Policy = "dashboard";
    private const string SuppressAutoDefaultScheme = "Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme";

    public static WebApplicationBuilder AddDashboardAccess(this WebApplicationBuilder builder)
    {
        var access = Settings.Read<DashboardAccessOptions>(builder.Configuration, DashboardAccessOptions.SectionName);
        builder.Services.AddSettings<DashboardAccessOptions>(DashboardAccessOptions.SectionName);
        if (!string.IsNullOrWhiteSpace(access.AdminUrl))
        {
            // The admin listener comes on top of the silo's own URLs (health, loopback).
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.IsNullOrWhiteSpace(urls) ? access.AdminUrl : $"{urls};{access.AdminUrl}");
        }
        // Only the dashboard's policy authenticates (it names the scheme). As the one scheme registered, Basic would
        // otherwise be every request's default and run for each of them: 3.4 µs of a co-hosted silo's CPU per API request
        // (bench/README.md). The switch is ASP.NET Core's own (since .NET 7) and only affects a lone scheme.
        AppContext.SetSwitch(SuppressAutoDefaultScheme, true);
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, _ => { });
        builder.Services.AddSingleton<IAuthorizationHandler, DashboardAccessHandler>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(BasicAuthenticationHandler.SchemeName)
            .AddRequirements(new DashboardAccessRequirement()));
        return builder;
    }

    public static WebApplication MapNewsstandDashboard(this WebApplication app)
    {
        app.MapOrleansDashboard(RoutePrefix).RequireAuthorization(Policy);
        return app;
    }

    private sealed class DashboardAccessRequirement : IAuthorizationRequirement;

    /// <summary>With an admin URL: the admin port and a signed-in user. Without: a loopback caller, or a signed-in user.</summary>
    private sealed class DashboardAccessHandler(IOptions<DashboardAccessOptions> access) : AuthorizationHandler<DashboardAccessRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DashboardAccessRequirement requirement)
        {
            if (context.Resource is HttpContext http)
            {
                var signedIn = context.User.Identity?.IsAuthenticated == true;
                var allowed = access.Value.AdminPort is { } adminPort
                    ? signedIn && http.Connection.LocalPort == adminPort
                    : signedIn || (http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote));
                if (allowed)
                {
                    context.Succeed(requirement);
                }
            }
            return Task.CompletedTask;
        }
    }
}
