using AgentGateway.AdminApi.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAdminApiData();
builder.AddTenantSecrets();
builder.AddAdminApiAuthentication();
builder.AddAdminApi();
builder.AddXdsServer();

var app = builder.Build();
app.UseManagementListener();

app.MapAdminApi();
app.MapDefaultEndpoints();
app.MapXdsServer();

app.Run();
