using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Newsstand.Api.Hosting;

/// <summary>
/// The proxies in front of the web client (section <c>ForwardedHeaders</c>), e.g. the ingress controller:
/// only a request arriving from one of them has its <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> believed.
/// None configured: forwarded headers are ignored, and the connection's own address is the client's.
/// </summary>
public sealed class TrustedProxyOptions : IValidatableObject
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>Proxy addresses (e.g. <c>10.0.3.7</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation (e.g. <c>10.0.0.0/8</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool Configured => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    public IEnumerable<IPAddress> Proxies => KnownProxies.Select(IPAddress.Parse);

    public IEnumerable<IPNetwork> Networks => KnownNetworks.Select(network => IPNetwork.Parse(network));

    /// <summary>
    /// CIDR notation whose address is the network's own: parsing alone would quietly turn <c>10.0.0.1/8</c> (most
    /// likely meant as one proxy) into all of 10.0.0.0/8.
    /// </summary>
    private static bool IsNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.AsSpan(0, text.IndexOf('/')), out var address) && network.BaseAddress.Equals(address);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Each failure names the item's key; the value itself is not repeated.
        for (var i = 0; i < KnownProxies.Length; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i], out _))
            {
                yield return new ValidationResult("is not an IP address (e.g. 10.0.3.7).", [$"{nameof(KnownProxies)}:{i}"]);
            }
        }
        for (var i = 0; i < KnownNetworks.Length; i++)
        {
            if (!IsNetwork(KnownNetworks[i]))
            {
                yield return new ValidationResult("is not a network in CIDR notation (e.g. 10.0.0.0/8, no bits set past the prefix).", [$"{nameof(KnownNetworks)}:{i}"]);
            }
        }
    }
}
