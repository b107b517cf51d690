//! The top of the OpenAPI document; paths and schemas are added by the handlers' annotations.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "AGIO API",
        version = "1.0.0",
        description = "Read API of AGIO, the platform of the Agende Digitali Sociali of Emilia-Romagna: territories, agendas, objectives, actions, organisations, digital assets and controlled vocabularies. Lists are paginated (`page`, `per_page` up to 100) and accept the same filters as the public pages. Errors are RFC 9457 problem details (`application/problem+json`). Territorial data: ISTAT (CC BY 3.0 IT); boundaries and population: openpolis/geojson-italy (CC BY 4.0).",
        license(name = "EUPL-1.2")
    ),
    servers((url = "/", description = "This AGIO instance")),
    components(schemas(crate::error::Problem, crate::error::InvalidParam)),
    tags(
        (name = "territories", description = "Region, health-social districts, unions of comuni and comuni"),
        (name = "agendas", description = "Agende Digitali Sociali, their objectives and actions"),
        (name = "organizations", description = "Organisations (soggetti) taking part in actions"),
        (name = "assets", description = "Digital assets and their coverage"),
        (name = "vocabularies", description = "Controlled vocabularies with Italian and English labels")
    )
)]
pub struct ApiDoc;
