using Microsoft.EntityFrameworkCore;

namespace AgentGateway.Identity.Data;

/// <summary>OpenIddict's stores (applications, authorizations, tokens), kept in memory: clients come from configuration.</summary>
internal sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options);
