using System.Globalization;
using CsvHelper;
using Newsstand.Records;

namespace Newsstand.Workloads;

/// <summary>
/// The billing sheet of one date as a file: <c>date;account_name;account_number;payable;total_issues</c>, one line
/// per billing, no header, UTF-8, quoted by CsvHelper (RFC 4180 rules) wherever a field holds a <c>;</c>, a quote or a line break. It is
/// written to a temporary file in the same folder, flushed to disk, then renamed over the final name, so a
/// reader sees the old sheet or the new one, never half of one.
/// </summary>
internal sealed class BillingSheetFile : IAsyncDisposable
{
    private static readonly CsvWriterOptions Format = new()
    {
        Separator = ';',
        HasHeader = false,
        NewLine = "\n",
        FormatProvider = CultureInfo.InvariantCulture,
    };

    private readonly FileStream _file;
    private readonly CsvWriter _csv;
    private readonly string _date;
    private bool _committed;

    private BillingSheetFile(string directory, string fileName, string jobId, DateOnly date)
    {
        FinalPath = Path.Combine(directory, fileName);
        TemporaryPath = Path.Combine(directory, $".{fileName}.{jobId}.tmp");
        _date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _file = new FileStream(TemporaryPath, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
            BufferSize = 64 * 1024,
        });
        _csv = CsvWriter.Create(_file, Format, leaveOpen: true);
    }

    public string FinalPath { get; }

    public string TemporaryPath { get; }

    public static string FileNameOf(DateOnly date) => $"billing-{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";

    public static string PathOf(string directory, DateOnly date) => Path.Combine(directory, FileNameOf(date));

    /// <summary>Opens the temporary file (off the grain's scheduler: opening a file is a synchronous call).</summary>
    public static Task<BillingSheetFile> CreateAsync(string directory, string jobId, DateOnly date) => Task.Run(() =>
    {
        Directory.CreateDirectory(directory);
        return new BillingSheetFile(directory, FileNameOf(date), jobId, date);
    });

    /// <summary>One line: the billing with its vendor's account (empty fields if the vendor is unknown).</summary>
    public async Task WriteAsync(BillingRecord billing, VendorRecord? vendor)
    {
        _csv.WriteField(_date);
        _csv.WriteField(vendor?.AccountName ?? "");
        _csv.WriteField(vendor?.AccountNumber ?? "");
        _csv.WriteField(billing.Payable);
        _csv.WriteField(billing.TotalIssues);
        await _csv.EndRecordAsync();
    }

    /// <summary>Flushes every line to disk, then puts the sheet in place under its final name.</summary>
    public async Task CommitAsync()
    {
        await _csv.DisposeAsync();
        // fsync and rename are synchronous calls: they run off the grain's scheduler.
        await Task.Run(() =>
        {
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            File.Move(TemporaryPath, FinalPath, overwrite: true);
        });
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _csv.DisposeAsync();
        await _file.DisposeAsync();
        if (!_committed)
        {
            await Task.Run(() => File.Delete(TemporaryPath));
        }
    }
}
