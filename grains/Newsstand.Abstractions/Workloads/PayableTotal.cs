namespace Newsstand.Workloads;

/// <summary>The answer of <c>POST /ch08/billing/total/payable</c>: the sum of <c>payable</c> of the billings billed that day.</summary>
[GenerateSerializer, Immutable, Alias("Newsstand.PayableTotal")]
public sealed record PayableTotal([property: Id(0)] double TotalPayable);
