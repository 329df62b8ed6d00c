using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;

namespace Newsstand.Records;

[GenerateSerializer, Immutable, Alias("Newsstand.AdminRecord"), Table("admin")]
public sealed record AdminRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Required, Text(Limits.Name)] string Firstname,
    [property: Id(2), Required, Text(Limits.Name)] string Lastname,
    [property: Id(3), Range(0, 150)] int Age,
    [property: Id(4)] DateOnly DateStarted,
    [property: Id(5)] int Status,
    [property: Id(6), Range(Limits.MinId, int.MaxValue)] int LoginId,
    [property: Id(7)] DateOnly Birthday) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.VendorRecord"), Table("vendor")]
public sealed record VendorRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Required, Text(Limits.Name)] string RepFirstname,
    [property: Id(2), Required, Text(Limits.Name)] string RepLastname,
    [property: Id(3), Required, Text(Limits.Name)] string RepId,
    [property: Id(4)] DateOnly RepDateEmployed,
    [property: Id(5), Required, Text(Limits.Name)] string AccountName,
    [property: Id(6), Required, Text(Limits.Name)] string AccountNumber,
    [property: Id(7)] DateOnly DateConsigned,
    [property: Id(8), Range(Limits.MinId, int.MaxValue)] int LoginId) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.CustomerRecord"), Table("customer")]
public sealed record CustomerRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Required, Text(Limits.Name)] string Firstname,
    [property: Id(2), Required, Text(Limits.Name)] string Lastname,
    [property: Id(3), Range(0, 150)] int Age,
    [property: Id(4)] DateOnly Birthday,
    [property: Id(5)] DateOnly DateSubscribed,
    [property: Id(6)] int Status,
    [property: Id(7)] int SubscriptionType,
    [property: Id(8), Range(Limits.MinId, int.MaxValue)] int LoginId) : ITableRecord;

[GenerateSerializer, Immutable, Alias("Newsstand.MessengerRecord"), Table("messenger")]
public sealed record MessengerRecord(
    [property: Id(0), Range(Limits.MinId, int.MaxValue)] int Id,
    [property: Id(1), Required, Text(Limits.Name)] string Firstname,
    [property: Id(2), Required, Text(Limits.Name)] string Lastname,
    [property: Id(3), Range(0d, double.MaxValue)] double Salary,
    [property: Id(4)] DateOnly DateEmployed,
    [property: Id(5)] int Status,
    [property: Id(6), Range(Limits.MinId, int.MaxValue)] int VendorId) : ITableRecord;
