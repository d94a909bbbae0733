using AgentGateway.Portal.Authentication;
using AgentGateway.Portal.Components;
using AgentGateway.Portal.Services;
using AgentGateway.Portal.Telemetry;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPortalAuthentication();
builder.AddAdminApiClient();
builder.AddTraceLinks();
builder.Services.AddMudServices();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();
app.UseManagementListener();

app.UseStaticFiles();
app.UsePortalAuthentication();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapPortalAuthentication();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
