using Orleans.Concurrency;
using Newsstand.Records;

namespace Newsstand.Grains;

/// <summary>Owner of the <c>admin</c> table.</summary>
public interface IAdminTableGrain : ITableGrain<AdminRecord>
{
    /// <summary>Admins ordered by id, each with its login (never a hash), as the API's JSON array.</summary>
    [ReadOnly]
    Task<byte[]> ListWithLoginsJsonAsync(Page page);
}

/// <summary>Owner of the <c>vendor</c> table.</summary>
public interface IVendorTableGrain : ITableGrain<VendorRecord>;

/// <summary>Owner of the <c>customer</c> table.</summary>
public interface ICustomerTableGrain : ITableGrain<CustomerRecord>;

/// <summary>Owner of the <c>billing</c> table.</summary>
public interface IBillingTableGrain : ITableGrain<BillingRecord>;

/// <summary>Owner of the <c>messenger</c> table.</summary>
public interface IMessengerTableGrain : ITableGrain<MessengerRecord>;

/// <summary>Owner of the <c>publication</c> table.</summary>
public interface IPublicationTableGrain : ITableGrain<PublicationRecord>;

/// <summary>Owner of the <c>content</c> table.</summary>
public interface IContentTableGrain : ITableGrain<ContentRecord>;

/// <summary>Owner of the <c>sales</c> table.</summary>
public interface ISalesTableGrain : ITableGrain<SalesRecord>;

/// <summary>Owner of the <c>subscription</c> table.</summary>
public interface ISubscriptionTableGrain : ITableGrain<SubscriptionRecord>;
