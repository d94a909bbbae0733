using AgentGateway.Identity;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIdentityServer();

var app = builder.Build();

app.UseIdentityServer();
app.MapDefaultEndpoints();
app.MapIdentityServer();

app.Run();
