using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace Newsstand.Records;

[GenerateSerializer, Immutable, Alias("Newsstand.BillingRecord"), Table("billing")]
public sealed record BillingRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Range(0d, double.MaxValue)] double Payable,
    [property: Id(2), Required, Text(Limits.Name)] string ApprovedBy,
    [property: Id(3)] DateOnly DateApproved,
    [property: Id(4)] DateOnly DateBilled,
    [property: Id(5), Required, Text(Limits.Name)] string ReceivedBy,
    [property: Id(6)] DateOnly DateReceived,
    [property: Id(7), Range(0, int.MaxValue)] int TotalIssues,
    [property: Id(8), Range(Limits.MinId, int.MaxValue)] int VendorId,
    [property: Id(9), Range(Limits.MinId, int.MaxValue)] int AdminId) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.PublicationRecord"), Table("publication")]
public sealed record PublicationRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Required, Text(Limits.LongName)] string Name,
    [property: Id(2), Required, Text(Limits.Name)] string Type,
    [property: Id(3), Range(Limits.MinId, int.MaxValue)] int VendorId,
    [property: Id(4), Range(Limits.MinId, int.MaxValue)] int MessengerId) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.ContentRecord"), Table("content")]
public sealed record ContentRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Range(Limits.MinId, int.MaxValue)] int PublicationId,
    [property: Id(2), Required, Text(Limits.LongName)] string Headline,
    [property: Id(3), Required, Text] string Content,
    [property: Id(4), Required, Text(Limits.ContentType)] string ContentType,
    [property: Id(5)] DateOnly DatePublished) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.SalesRecord"), Table("sales")]
public sealed record SalesRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Range(Limits.MinId, int.MaxValue)] int PublicationId,
    [property: Id(2), Range(0, int.MaxValue)] int CopiesIssued,
    [property: Id(3), Range(0, int.MaxValue)] int CopiesSold,
    [property: Id(4)] DateOnly DateIssued,
    [property: Id(5), Range(0d, double.MaxValue)] double Revenue,
    [property: Id(6)] double Profit) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.SubscriptionRecord"), Table("subscription")]
public sealed record SubscriptionRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Range(Limits.MinId, int.MaxValue)] int CustomerId,
    [property: Id(2), Required, Text(Limits.LongName)] string Branch,
    [property: Id(3), Range(0d, double.MaxValue)] double Price,
    [property: Id(4), Range(0, int.MaxValue)] int Qty,
    [property: Id(5)] DateOnly DatePurchased) : ITableRecord;
