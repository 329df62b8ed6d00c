using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>The list of admins, each joined with its login (never a hash): <c>POST /ch08/admin/login/list</c>.</summary>
public interface IAdminLoginListGrain : IGrainWithIntegerKey
{
    /// <summary>The next slice of the joined list, as JSON array elements, continuing like <see cref="ITableIndexGrain{TRecord}.ReadJsonAsync"/>.</summary>
    Task<ListSlice> ReadJsonAsync(ListRead read);
}
