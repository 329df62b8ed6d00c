namespace Newsstand.Api.Apis;

/// <summary>A call given up because a gateway connection closed while it was under way (<see cref="GatewayLosses"/>).</summary>
internal sealed class GatewayLostException() : Exception("A gateway connection closed while the call was under way.");
