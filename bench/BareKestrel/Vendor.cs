using System.Text.Json.Serialization;

namespace BareKestrel;

/// <summary>The body of <c>POST /ch08/vendor/add</c>, as our service takes it.</summary>
internal sealed record Vendor(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("rep_firstname")] string RepFirstname,
    [property: JsonPropertyName("rep_lastname")] string RepLastname,
    [property: JsonPropertyName("rep_id")] string RepId,
    [property: JsonPropertyName("rep_date_employed")] DateOnly RepDateEmployed,
    [property: JsonPropertyName("account_name")] string AccountName,
    [property: JsonPropertyName("account_number")] string AccountNumber,
    [property: JsonPropertyName("date_consigned")] DateOnly DateConsigned,
    [property: JsonPropertyName("login_id")] long LoginId);

[JsonSerializable(typeof(Vendor))]
internal sealed partial class VendorJson : JsonSerializerContext;
