using Orleans.Concurrency;
using Newsstand.Data;
using Newsstand.Grains;
using Newsstand.Records;

namespace Newsstand.Tables;

// Each owner is [Reentrant]: reads interleave with a write's awaits, which is safe because TableGrain
// changes state only after its commit, in one synchronous step, and never writes one id twice at once.

[Reentrant]
internal sealed class VendorTableGrain(NewsstandDb db) : TableGrain<VendorRecord>(db), IVendorTableGrain
{
    protected override string Table => "vendor";

    protected override IEnumerable<Reference> References(VendorRecord r) =>
        [Reference.To<ILoginTableGrain>("login_id", "login", r.LoginId)];
}

[Reentrant]
internal sealed class CustomerTableGrain(NewsstandDb db) : TableGrain<CustomerRecord>(db), ICustomerTableGrain
{
    protected override string Table => "customer";

    protected override IEnumerable<Reference> References(CustomerRecord r) =>
        [Reference.To<ILoginTableGrain>("login_id", "login", r.LoginId)];
}

[Reentrant]
internal sealed class BillingTableGrain(NewsstandDb db) : TableGrain<BillingRecord>(db), IBillingTableGrain
{
    protected override string Table => "billing";

    protected override IEnumerable<Reference> References(BillingRecord r) =>
    [
        Reference.To<IVendorTableGrain>("vendor_id", "vendor", r.VendorId),
        Reference.To<IAdminTableGrain>("admin_id", "admin", r.AdminId),
    ];
}

[Reentrant]
internal sealed class MessengerTableGrain(NewsstandDb db) : TableGrain<MessengerRecord>(db), IMessengerTableGrain
{
    protected override string Table => "messenger";

    protected override IEnumerable<Reference> References(MessengerRecord r) =>
        [Reference.To<IVendorTableGrain>("vendor_id", "vendor", r.VendorId)];
}

[Reentrant]
internal sealed class PublicationTableGrain(NewsstandDb db) : TableGrain<PublicationRecord>(db), IPublicationTableGrain
{
    protected override string Table => "publication";

    protected override IEnumerable<Reference> References(PublicationRecord r) =>
    [
        Reference.To<IVendorTableGrain>("vendor_id", "vendor", r.VendorId),
        Reference.To<IMessengerTableGrain>("messenger_id", "messenger", r.MessengerId),
    ];
}

[Reentrant]
internal sealed class ContentTableGrain(NewsstandDb db) : TableGrain<ContentRecord>(db), IContentTableGrain
{
    protected override string Table => "content";

    protected override IEnumerable<Reference> References(ContentRecord r) =>
        [Reference.To<IPublicationTableGrain>("publication_id", "publication", r.PublicationId)];
}

[Reentrant]
internal sealed class SalesTableGrain(NewsstandDb db) : TableGrain<SalesRecord>(db), ISalesTableGrain
{
    protected override string Table => "sales";

    protected override IEnumerable<Reference> References(SalesRecord r) =>
        [Reference.To<IPublicationTableGrain>("publication_id", "publication", r.PublicationId)];
}

[Reentrant]
internal sealed class SubscriptionTableGrain(NewsstandDb db) : TableGrain<SubscriptionRecord>(db), ISubscriptionTableGrain
{
    protected override string Table => "subscription";

    protected override IEnumerable<Reference> References(SubscriptionRecord r) =>
        [Reference.To<ICustomerTableGrain>("customer_id", "customer", r.CustomerId)];
}
