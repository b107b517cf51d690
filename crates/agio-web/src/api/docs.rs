//! The top of the OpenAPI document; paths and schemas are added by the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AGIO API",
        version = "1.0.0",
        description = "API of AGIO, the platform of the Agende Digitali Sociali of Emilia-Romagna: territories, agendas, objectives, actions, organisations, digital assets and controlled vocabularies. Lists are paginated (`page`, `per_page` up to 100) and accept the same filters as the public pages. Errors are RFC 9457 problem details (`application/problem+json`). Changes (tag `editing`) need a personal access token, created in the personal area (`Authorization: Bearer agio_…`), and name the `version` of the record they start from: a change to a record saved by someone else since answers 409 with the stored values, invalid fields answer 422 listing every one. Territorial data: ISTAT (CC BY 3.0 IT); boundaries and population: openpolis/geojson-italy (CC BY 4.0).",
        license(name = "EUPL-1.2")
    ),
    servers((url = "/", description = "This AGIO instance")),
    components(schemas(crate::kit::error::Problem, crate::kit::error::InvalidParam)),
    tags(
        (name = "territories", description = "Region, health-social districts, unions of comuni and comuni"),
        (name = "agendas", description = "Agende Digitali Sociali, their objectives and actions"),
        (name = "organizations", description = "Organisations (soggetti) taking part in actions"),
        (name = "assets", description = "Digital assets and their coverage"),
        (name = "vocabularies", description = "Controlled vocabularies with Italian and English labels"),
        (name = "profiles", description = "The districts' digital-welfare profiles: services and how digital they are, gaps, comuni at risk"),
        (name = "lab", description = "The Community Lab: an agenda's participatory process, its phases, the ideas with their supports, comments and answers"),
        (name = "monitoring", description = "Monitoring: the values measured for the agendas' indicators, period by period, and the progress worked out from the approved ones, from indicators to actions, objectives and agendas"),
        (name = "editing", description = "Changes, with a personal access token; every one is recorded in the audit log")
    ),
    modifiers(&TokenAuth)
)]
pub struct ApiDoc;

/// The `token` security scheme: a personal access token as a bearer token.
struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal access token (agio_…), created in the personal area."))
                    .build(),
            ),
        );
    }
}
