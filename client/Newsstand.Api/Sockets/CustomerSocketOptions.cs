using System.ComponentModel.DataAnnotations;

namespace Newsstand.Api.Sockets;

/// <summary>The customer-list WebSocket and the service's own client of it (section <c>CustomerSockets</c>).</summary>
public sealed class CustomerSocketOptions
{
    public const string SectionName = "CustomerSockets";

    /// <summary>How long the server waits for the acknowledgement of each customer before it closes with 1008.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a closing side waits for the other's close frame before it drops the connection.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Origins besides the service's own whose pages may open the socket (e.g. <c>https://portal.example</c>); requests
    /// without an <c>Origin</c> header (non-browser clients) are always allowed (<see cref="SocketOrigins"/>).
    /// </summary>
    // Empty, not null: the configuration binder copies an array's items and appends the configured ones.
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Base URL the service uses to reach its own socket (<c>customer/wsclient/list/</c>); unset: the first address it listens on.</summary>
    public string? SelfBaseUrl { get; set; }

    /// <summary>How long the service's own client may take to connect to its socket.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the service's own client waits for the next message before it gives up (502).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
