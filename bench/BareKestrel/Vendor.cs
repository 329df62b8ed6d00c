using System.Text.Json.Serialization;

namespace BareKestrel;

/// <summary>
/// The body of <c>POST /ch08/vendor/add</c>, as our service takes it. Serializable by Orleans as our records are
/// (generated serializer, immutable: no copy on a local call) for the floor's grain calls.
/// </summary>
[GenerateSerializer, Immutable, Alias("BareKestrel.Vendor")]
public sealed record Vendor(
    [property: JsonPropertyName("id"), Id(0)] long Id,
    [property: JsonPropertyName("rep_firstname"), Id(1)] string RepFirstname,
    [property: JsonPropertyName("rep_lastname"), Id(2)] string RepLastname,
    [property: JsonPropertyName("rep_id"), Id(3)] string RepId,
    [property: JsonPropertyName("rep_date_employed"), Id(4)] DateOnly RepDateEmployed,
    [property: JsonPropertyName("account_name"), Id(5)] string AccountName,
    [property: JsonPropertyName("account_number"), Id(6)] string AccountNumber,
    [property: JsonPropertyName("date_consigned"), Id(7)] DateOnly DateConsigned,
    [property: JsonPropertyName("login_id"), Id(8)] long LoginId);

[JsonSerializable(typeof(Vendor))]
internal sealed partial class VendorJson : JsonSerializerContext;
