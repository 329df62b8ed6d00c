// Calls every kind of route through the client Kiota generated from the served OpenAPI document, as a user of
// the API would, and prints what it saw as "name=value" lines for GeneratedClientTests to check. It asserts
// nothing itself; a call the document describes wrongly throws, and the test sees the exception.
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Nsms.Generated;
using Nsms.Generated.Models;

var baseUrl = args[0];
var id = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var billingDate = new Date(2019, 11, 23);

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var client = new NsmsClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });

void Print(string name, object? value) => Console.WriteLine($"{name}={value}");

// JSON in and out.
var login = await client.Ch08.Login.Add.PostAsync(new NewLogin { Id = id, Username = $"kiota{id}", Password = "kiota-pass-1", UserType = 1 });
Print("login.username", login?.Username);
var vendor = await client.Ch08.Vendor.Add.PostAsync(new VendorRecord
{
    Id = id, RepFirstname = "Kiota", RepLastname = "Client", RepId = $"K{id}", RepDateEmployed = new Date(2022, 1, 1),
    AccountName = $"Kiota{id}", AccountNumber = $"{id:D8}", DateConsigned = new Date(2022, 2, 1), LoginId = id,
});
Print("vendor.rep_firstname", vendor?.RepFirstname);
var admin = await client.Ch08.Admin.Add.PostAsync(new AdminRecord
{
    Id = id, Firstname = "Ada", Lastname = "Kiota", Age = 40, DateStarted = new Date(2020, 1, 15), Status = 1, LoginId = id, Birthday = new Date(1985, 3, 2),
});
await client.Ch08.Billing.Add.PostAsync(new BillingRecord
{
    Id = id, Payable = 99.5, ApprovedBy = "Ada", DateApproved = new Date(2024, 3, 1), DateBilled = billingDate, ReceivedBy = "Rep",
    DateReceived = new Date(2024, 3, 5), TotalIssues = 4, VendorId = id, AdminId = admin?.Id,
});
var vendors = await client.Ch08.Vendor.List.GetAsync(request => request.QueryParameters.Offset = 0);
Print("vendors.contains", vendors?.Any(v => v.Id == id));

// The admin list: a JSON array of admins, each with its login.
var admins = await client.Ch08.Admin.Login.List.PostAsync();
Print("admins.login", admins?.SingleOrDefault(a => a.Id == id)?.Login?.Username);

// HEAD: headers only.
await client.Ch08.Vendor.List.HeadAsync();
Print("head", "ok");

// A CSV download: start the job, wait for it, read the file.
var accepted = await client.Ch08.Billing.Save.Csv.PostAsync(request => request.QueryParameters.BillingDate = billingDate);
var status = await client.Ch08.Billing.Jobs[accepted!.JobId!].GetAsync(request => request.QueryParameters.Wait = 20);
Print("job.status", status?.Status);
await using (var file = await client.Ch08.Billing.Jobs[accepted.JobId!].File.GetAsync())
{
    using var reader = new StreamReader(file!);
    var csv = await reader.ReadToEndAsync();
    Print("csv.has_vendor", csv.Contains($"Kiota{id};", StringComparison.Ordinal));
}

// A problem answer, typed: a vendor without its names.
try
{
    await client.Ch08.Vendor.Add.PostAsync(new VendorRecord { Id = id + 1, LoginId = id, AccountName = "x", AccountNumber = "1", RepId = "x" });
    Print("problem", "none");
}
catch (Problem problem)
{
    Print("problem.status", problem.ResponseStatusCode);
    Print("problem.errors", string.Join(",", problem.Errors?.AdditionalData.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>()));
    Print("problem.trace_id", !string.IsNullOrEmpty(problem.TraceId));
}

// A conflict is the same problem type, with errors too.
try
{
    await client.Ch08.Login.Add.PostAsync(new NewLogin { Id = id, Username = $"kiota{id}", Password = "kiota-pass-1", UserType = 1 });
    Print("conflict", "none");
}
catch (Problem problem)
{
    Print("conflict.status", problem.ResponseStatusCode);
    Print("conflict.errors", string.Join(",", problem.Errors?.AdditionalData.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>()));
}
