using AgentGateway.Samples.Notes.Api;
using AgentGateway.Samples.Notes.Mcp;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNotesMcpServer();
builder.Services.AddOpenApi();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapNotesMcpServer();
app.MapNotesRestApi();
app.MapOpenApi();

app.Run();
