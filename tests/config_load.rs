//! Config loading: the example parses; every error message is precise (exact text).

use std::path::Path;

use cpitop::config::{Config, ConfigError, Credentials, Environment, SecretSource};

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("/cfg/config.toml"))
}

fn err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn explore() {
    for t in [
        "a = [1,\n",
        "[tenants.x]\nurl = \"https://h\"\nenvironment = \"staging\"\n",
        "[tenants.x]\nurl = \"https://h\"\n[tenants.x.auth]\nclient_id = \"c\"\ntoken_url = \"https://t\"\nclient_secet = \"s\"\n",
        "[defaults.poll]\nartifact = \"3s\"\n",
        "[defaults.poll]\nartifacts = \"3x\"\n",
        "[tenants.x]\nurl = \"https://h\"\nread_only = \"yes\"\n",
        "tenant = {}\n",
    ] {
        println!("-----\n{}", err(t));
    }
}
