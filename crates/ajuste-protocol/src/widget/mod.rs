//! The embeddable widget's two public surfaces, as plain data so that they are tested natively:
//! the configuration in the page's URL hash ([`hash`]) and the versioned `postMessage` API
//! between the widget and the page that embeds it ([`api`]).

pub mod api;
pub mod hash;

pub use api::{API_VERSION, ClassCount, Confidence, Problem, WidgetCommand, WidgetEvent};
pub use hash::{Control, Lang, WidgetConfig};
