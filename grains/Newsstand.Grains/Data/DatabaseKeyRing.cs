using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Newsstand.Data;

/// <summary>
/// The profile tokens' key ring in the system-of-record database, so every silo of a cluster encrypts and
/// decrypts with the same keys and they are backed up with the data. Data Protection calls a repository
/// synchronously; <see cref="Workloads.ProfileProtector"/> only uses Data Protection off grain turns. Unlike
/// the repositories that ship with Data Protection, this one never logs a key's XML (its master key).
/// </summary>
internal sealed class DatabaseKeyRing(NewsstandDb db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var context = db.CreateContext();
        return [.. context.ProfileKeys.OrderBy(key => key.Id).Select(key => key.Xml).AsEnumerable().Select(xml => XElement.Parse(xml))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var context = db.CreateContext();
        context.ProfileKeys.Add(new ProfileKeyEntity { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        context.SaveChanges();
    }
}
