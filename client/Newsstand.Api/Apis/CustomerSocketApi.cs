using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newsstand.Api.Access;
using Newsstand.Api.Hosting;
using Newsstand.Api.Sockets;
using Newsstand.Hosting;

namespace Newsstand.Api.Apis;

/// <summary>The WebSocket acknowledgement protocol over the customer table, and the service as a client of it.</summary>
internal static class CustomerSocketApi
{
    /// <summary>The socket options, the WebSocket server side and the self-client.</summary>
    public static WebApplicationBuilder AddCustomerSockets(this WebApplicationBuilder builder)
    {
        builder.Services.AddSettings<CustomerSocketOptions>(CustomerSocketOptions.SectionName);
        builder.Services.AddSingleton<CustomerListSocket>();
        builder.Services.AddSingleton<CustomerListClient>();
        return builder;
    }

    /// <summary>WebSocket upgrades (the origin check is the socket route's own: <see cref="SocketOrigins"/>).</summary>
    public static WebApplication UseCustomerSockets(this WebApplication app)
    {
        app.UseWebSockets();
        return app;
    }

    public static RouteGroupBuilder MapCustomerSocketApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/ch08/customer").WithTags("Customer sockets");

        group.MapGet("/list/ws", ServeAsync)
            .RequireSignedIn()
            .AllowQueryAccessToken()
            .WithName("OpenCustomerSocket")
            .RequireLongLivedPlace()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status426UpgradeRequired)
            .WithSummary("WebSocket: each customer as JSON, acknowledged with {\"rec_id\": id} before the next; closes with 1000 after the last.");
        group.MapGet("/wsclient/list/", ReadOwnSocketAsync)
            .RequireSignedIn()
            .WithName("WalkCustomerSocket")
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The service walks its own customer socket as a client, acknowledging every record.");

        return group;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ServeAsync(HttpContext context, CustomerListSocket sockets,
        IOptions<CustomerSocketOptions> options)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            // 426 and the Upgrade header say exactly what the client must do (RFC 9110 §15.5.22).
            context.Response.Headers.Upgrade = "websocket";
            return TypedResults.Problem(statusCode: StatusCodes.Status426UpgradeRequired, detail: "This route speaks WebSocket: send an upgrade request.");
        }
        if (!SocketOrigins.Allows(context.Request, options.Value.AllowedOrigins))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                detail: "Pages of this origin may not open the socket: only the service's own origin and those CustomerSockets:AllowedOrigins lists.");
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await sockets.ServeAsync(socket, TokenExpiry.ExpiresAt(context), context.RequestAborted);
        return TypedResults.Empty;
    }

    private static async Task<Ok<ReceivedAnswer>> ReadOwnSocketAsync(HttpContext context, CustomerListClient client, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ReceivedAnswer("done", await client.ReadAllAsync(context.Request.Headers.Authorization.ToString(), cancellationToken)));

    internal sealed record ReceivedAnswer(string Message, int Received);
}
