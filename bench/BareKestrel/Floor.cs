using System.Collections.Concurrent;
using System.Globalization;

namespace BareKestrel;

/// <summary>
/// The Orleans floor: the ceiling's inserts taken through one grain call to a chunk owner (<see cref="VendorChunkGrain"/>),
/// whose turn hands them to the same group commit. <c>Floor</c> names the process's part:
/// <list type="bullet">
/// <item><c>cohosted</c>: silo and API in one process (the grain calls stay in the process);</item>
/// <item><c>silo</c>: the silo with the writer, no API (the separate form's first process);</item>
/// <item><c>client</c>: the API on an Orleans client of that silo (the separate form's second process).</item>
/// </list>
/// <c>Coalesce</c> (default true) sends the concurrent adds of one chunk in one grain call (<see cref="FloorCoalescer"/>);
/// false makes one grain call per request. Localhost clustering on <c>SiloPort</c> and <c>GatewayPort</c>.
/// </summary>
internal static class Floor
{
    public static bool HostsSilo(string part) => part switch
    {
        "cohosted" or "silo" => true,
        "client" => false,
        _ => throw new InvalidOperationException($"Floor must be cohosted, silo or client, not '{part}'."),
    };

    public static bool ServesInserts(string part) => part is "cohosted" or "client";

    public static void AddOrleans(WebApplicationBuilder builder, string part, GroupInserts? inserts)
    {
        var hostsSilo = HostsSilo(part); // an unknown part is named before a missing port
        var gatewayPort = Port(builder.Configuration, "GatewayPort");
        if (hostsSilo)
        {
            ArgumentNullException.ThrowIfNull(inserts, "Database (the floor's silo commits the inserts)");
            builder.Services.AddSingleton(inserts);
            builder.UseOrleans(silo => silo.UseLocalhostClustering(Port(builder.Configuration, "SiloPort"), gatewayPort));
        }
        else
        {
            builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort));
        }
    }

    /// <summary>The add of one vendor through the chunk grains: coalesced per chunk, or one grain call each.</summary>
    public static Func<Vendor, Task<bool>> Adds(IGrainFactory grains, bool coalesce)
    {
        if (!coalesce)
        {
            return vendor => grains.GetGrain<IVendorChunkGrain>(VendorChunkGrain.ChunkOf(vendor.Id)).AddAsync(vendor);
        }
        var chunks = new ConcurrentDictionary<long, FloorCoalescer>();
        return vendor => chunks.GetOrAdd(VendorChunkGrain.ChunkOf(vendor.Id),
            static (chunk, grains) => new FloorCoalescer(grains.GetGrain<IVendorChunkGrain>(chunk)), grains).AddAsync(vendor);
    }

    private static int Port(ConfigurationManager configuration, string key) =>
        int.Parse(configuration[key] ?? throw new InvalidOperationException($"Set {key} for the floor."), CultureInfo.InvariantCulture);
}
