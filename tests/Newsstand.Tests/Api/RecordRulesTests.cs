using System.ComponentModel.DataAnnotations;
using CsCheck;
using Newsstand.Api.Binding;
using Newsstand.Records;

namespace Newsstand.Tests.Api;

/// <summary>
/// The body's fast rule check (<see cref="RecordRules{T}"/>) says "all pass" exactly when the data-annotation
/// validator finds nothing, for generated request records of every shape the add routes take: text at and past its
/// limits, with NUL or an unpaired surrogate, empty; ids and amounts at and past their bounds. A record it cannot
/// decide (a login: its own rules) always goes to the validator.
/// </summary>
public sealed class RecordRulesTests
{
    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.Char['a', 'z'].Array[1, 46].Select(c => new string(c))),
        (1, Gen.OneOf("", " ", "a\0b", "\ud800", "x\udc00", "😀", string.Concat(Enumerable.Repeat("😀", 45)), string.Concat(Enumerable.Repeat("😀", 46)),
            new string('a', 45), new string('a', 46), new string('a', 100), new string('a', 101))));

    private static readonly Gen<int> Number = Gen.Frequency((4, Gen.Int[-3, 3]), (2, Gen.Int), (1, Gen.OneOf(int.MinValue, int.MaxValue)));

    private static readonly Gen<double> Amount = Gen.Frequency((4, Gen.Double[-2, 1e9]), (1, Gen.OneOf(-0d, 0d, -double.Epsilon, double.MaxValue)));

    private static readonly DateOnly Day = new(2024, 1, 1);

    [Fact]
    public void VendorRecordsPassExactlyWhenTheValidatorFindsNothing() =>
        Gen.Select(Number, Text, Text, Text, Text, Text, Number)
            .Select(v => new VendorRecord(v.Item1, v.Item2, v.Item3, v.Item4, Day, v.Item5, v.Item6, Day, v.Item7))
            .Sample(AgreesWithTheValidator, iter: 2_000);

    [Fact]
    public void MessengerRecordsPassExactlyWhenTheValidatorFindsNothing() =>
        Gen.Select(Number, Text, Text, Amount, Number, Number)
            .Select(v => new MessengerRecord(v.Item1, v.Item2, v.Item3, v.Item4, Day, v.Item5, v.Item6))
            .Sample(AgreesWithTheValidator, iter: 2_000);

    [Fact]
    public void BillingRecordsPassExactlyWhenTheValidatorFindsNothing() =>
        Gen.Select(Number, Amount, Text, Text, Number, Number, Number)
            .Select(v => new BillingRecord(v.Item1, v.Item2, v.Item3, Day, Day, v.Item4, Day, v.Item5, v.Item6, v.Item7))
            .Sample(AgreesWithTheValidator, iter: 2_000);

    [Fact]
    public void ContentRecordsPassExactlyWhenTheValidatorFindsNothing() =>
        Gen.Select(Number, Number, Text, Text, Text)
            .Select(v => new ContentRecord(v.Item1, v.Item2, v.Item3, v.Item4, v.Item5, Day))
            .Sample(AgreesWithTheValidator, iter: 2_000);

    [Fact]
    public void AValidRecordPassesAndEachBrokenRuleFails()
    {
        var vendor = new VendorRecord(1, "Rep", "Vendor", "R1", Day, "Acct1", "0001", Day, 1);
        Assert.True(RecordRules<VendorRecord>.AllPass(vendor));
        Assert.False(RecordRules<VendorRecord>.AllPass(vendor with { Id = 0 }));
        Assert.False(RecordRules<VendorRecord>.AllPass(vendor with { RepFirstname = "" }));
        Assert.False(RecordRules<VendorRecord>.AllPass(vendor with { AccountName = new string('a', Limits.Name + 1) }));
        Assert.False(RecordRules<VendorRecord>.AllPass(vendor with { RepId = "R\0" }));
        Assert.False(RecordRules<VendorRecord>.AllPass(vendor with { LoginId = -1 }));
    }

    [Fact]
    public void ARecordWithItsOwnRulesAlwaysGoesToTheValidator() =>
        Assert.False(RecordRules<NewLogin>.AllPass(new NewLogin(1, "someone", "a long enough password 1", 2)));

    private static void AgreesWithTheValidator<T>(T record) where T : class =>
        Assert.Equal(Validator.TryValidateObject(record, new ValidationContext(record), [], validateAllProperties: true), RecordRules<T>.AllPass(record));
}
