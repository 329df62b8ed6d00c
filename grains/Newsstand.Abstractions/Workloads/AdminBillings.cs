using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>What the billing sheet's producer hands over: one admin with every billing it approved, in id order.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.AdminBillings")]
public sealed record AdminBillings([property: Id(0)] AdminRecord Admin, [property: Id(1)] IReadOnlyList<BillingRecord> Billings);

/// <summary>One line of the admins' billing sheet: an admin and one of its billings, or null for an admin without billings.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.AdminBillingEntry")]
public sealed record AdminBillingEntry([property: Id(0)] string AdminName, [property: Id(1)] BillingRecord? Billing);
