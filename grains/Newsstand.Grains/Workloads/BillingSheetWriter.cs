using System.Globalization;
using CsvHelper;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// Writes one run's billing sheet: <c>date;account_name;account_number;payable;total_issues</c>, one line per billing,
/// no header, UTF-8, quoted by CsvHelper (RFC 4180 rules) wherever a field holds a <c>;</c>, a quote or a line break.
/// A text field that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a CR (which a spreadsheet would run as a
/// formula) gets a <c>'</c> in front and is quoted (OWASP's advice on CSV injection); numbers are written as they are.
/// Lines are gathered into parts of <see cref="PartBytes"/> and each full part is stored at once.
/// </summary>
internal sealed class BillingSheetWriter : IAsyncDisposable
{
    private static readonly CsvWriterOptions Format = new()
    {
        Separator = ';',
        HasHeader = false,
        NewLine = "\n",
        FormatProvider = CultureInfo.InvariantCulture,
        Injection = CsvInjection.Escape,
    };

    /// <summary>The most bytes a part holds (a part may pass it by one line): what writing or reading a sheet keeps in memory.</summary>
    public const int PartBytes = 64 * 1024;

    private readonly IBillingSheetStore _store;
    private readonly string _jobId;
    private readonly string _run;
    private readonly string _date;
    private readonly MemoryStream _buffer = new();
    private readonly CsvWriter _csv;
    private int _parts;

    public BillingSheetWriter(IBillingSheetStore store, string jobId, string run, DateOnly date)
    {
        _store = store;
        _jobId = jobId;
        _run = run;
        _date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _csv = CsvWriter.Create(_buffer, Format, leaveOpen: true);
    }

    /// <summary>The name a sheet of <paramref name="date"/> is downloaded under.</summary>
    public static string FileNameOf(DateOnly date) => $"billing-{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";

    /// <summary>One line: the billing with its vendor's account (empty fields if the vendor is unknown).</summary>
    public async Task WriteAsync(BillingRecord billing, VendorRecord? vendor)
    {
        _csv.WriteField(_date);
        _csv.WriteField(vendor?.AccountName ?? "");
        _csv.WriteField(vendor?.AccountNumber ?? "");
        _csv.WriteField(billing.Payable);
        _csv.WriteField(billing.TotalIssues);
        await _csv.EndRecordAsync();
        await _csv.FlushAsync();
        if (_buffer.Length >= PartBytes)
        {
            await StorePartAsync();
        }
    }

    /// <summary>Stores the last part (an empty sheet is one empty part): once this completes, every byte of the run is committed.</summary>
    public async Task CommitAsync()
    {
        await _csv.FlushAsync();
        if (_buffer.Length > 0 || _parts == 0)
        {
            await StorePartAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _csv.DisposeAsync();
        await _buffer.DisposeAsync();
    }

    private async Task StorePartAsync()
    {
        var data = _buffer.ToArray();
        _buffer.SetLength(0);
        await _store.SavePartAsync(_jobId, _run, _parts, data);
        _parts++;
    }
}
