namespace Newsstand.Silo.Hosting;

/// <summary>
/// Whether this silo serves the HTTP API itself (section <c>Silo</c>): the co-hosted form, one process per silo with
/// Kestrel and the grains, where the API's grain calls start inside the silo instead of crossing a gateway connection.
/// Off by default: a separate web client (<c>Newsstand.Client</c>) serves the API and scales apart from the silos.
/// </summary>
public sealed class ServedApiOptions
{
    public const string SectionName = "Silo";

    /// <summary>Serve the API (the same routes, middleware, limits and HTTP endpoints as the web client) on this silo's web addresses.</summary>
    public bool ServeApi { get; set; }
}
