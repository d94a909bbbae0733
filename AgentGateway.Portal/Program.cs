using AgentGateway.Portal.Authentication;
using AgentGateway.Portal.Components;
using AgentGateway.Portal.Services;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPortalAuthentication();
builder.AddAdminApiClient();
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
