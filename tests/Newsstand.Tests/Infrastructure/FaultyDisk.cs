
namespace Newsstand.Tests.Infrastructure;

/// <summary>
/// A small ext4 filesystem on a loop device that the test makes (root only), where a silo's SQLite file can
/// meet real disk faults: the disk filled up (<see cref="FillAsync"/>), or files made immutable while open
/// (<see cref="FreezeAsync"/>: <c>chattr +i</c> refuses writes even through descriptors opened before, even for root).
/// </summary>
internal sealed class FaultyDisk : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nsms-disk-").FullName;
    private readonly List<string> _frozen = [];
    private string? _device;
    private bool _mounted;

    private FaultyDisk()
    {
    }

    /// <summary>Where the filesystem is mounted.</summary>
    public string Path => System.IO.Path.Combine(_folder, "mount");

    private string Image => System.IO.Path.Combine(_folder, "disk.img");

    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static async Task<FaultyDisk> CreateAsync(int megabytes)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("The disk fault tests make a loop-mounted ext4 filesystem and need root (CI and ./test.sh run as root).");
        }
        var disk = new FaultyDisk();
        try
        {
            await using (var image = File.Create(disk.Image))
            {
                image.SetLength(megabytes * 1024L * 1024L);
            }
            // No blocks reserved for root: the test runs as root and must be able to fill the disk.
            await Commands.RunAsync("mkfs.ext4", "-q", "-F", "-m", "0", disk.Image);
            disk._device = (await Commands.RunAsync("losetup", "--find", "--show", disk.Image)).Trim();
            Directory.CreateDirectory(disk.Path);
            await Commands.RunAsync("mount", disk._device, disk.Path);
            disk._mounted = true;
            return disk;
        }
        catch
        {
            await disk.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes a file until the disk has no space left.</summary>
    public async Task FillAsync()
    {
        var block = new byte[64 * 1024];
        await using var filler = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                await filler.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full.
        }
    }

    /// <summary>Gives the filler's space back.</summary>
    public void Free() => File.Delete(Filler);

    /// <summary>Makes <paramref name="files"/> immutable: every write to them fails, also through open descriptors.</summary>
    public async Task FreezeAsync(params string[] files)
    {
        foreach (var file in files.Where(File.Exists))
        {
            await Commands.RunAsync("chattr", "+i", file);
            _frozen.Add(file);
        }
    }

    public async Task ThawAsync()
    {
        foreach (var file in _frozen)
        {
            await Commands.RunAsync("chattr", "-i", file);
        }
        _frozen.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await ThawAsync();
        if (_mounted)
        {
            await Commands.RunAsync("umount", Path);
        }
        if (_device is not null)
        {
            await Commands.RunAsync("losetup", "--detach", _device);
        }
        Directory.Delete(_folder, recursive: true);
    }
}
