//! The CNI conflist install-cni writes on a node (`/etc/cni/net.d/10-calico.conflist`):
//! calico-config's `cni_network_config` with its placeholders filled in, or, without a
//! manifest, the template Calico's calico.yaml ships (v3.28: calico, portmap, bandwidth).

use crate::model::CalicoVersion;
use crate::state::ClusterState;

/// The calico.yaml template (v3.28 calico-config `cni_network_config`); v3.16 had no bandwidth plugin.
fn default_template(version: CalicoVersion) -> String {
    let bandwidth = if version >= CalicoVersion::parse("v3.18").expect("valid") {
        ",\n    {\n      \"type\": \"bandwidth\",\n      \"capabilities\": {\"bandwidth\": true}\n    }"
    } else {
        ""
    };
    format!(
        r#"{{
  "name": "k8s-pod-network",
  "cniVersion": "0.3.1",
  "plugins": [
    {{
      "type": "calico",
      "log_level": "info",
      "log_file_path": "/var/log/calico/cni/cni.log",
      "datastore_type": "kubernetes",
      "nodename": "__KUBERNETES_NODE_NAME__",
      "mtu": __CNI_MTU__,
      "ipam": {{
          "type": "calico-ipam"
      }},
      "policy": {{
          "type": "k8s"
      }},
      "kubernetes": {{
          "kubeconfig": "__KUBECONFIG_FILEPATH__"
      }}
    }},
    {{
      "type": "portmap",
      "snat": true,
      "capabilities": {{"portMappings": true}}
    }}{bandwidth}
  ]
}}"#
    )
}

/// The conflist for `node`, as install-cni substitutes it.
pub fn conflist(state: &ClusterState, node: usize) -> String {
    let cluster = &state.cluster;
    let template = cluster
        .cni_template
        .clone()
        .unwrap_or_else(|| default_template(cluster.calico_version));
    // veth_mtu: "0" since v3.17 (the plugin then reads /var/lib/calico/mtu); 1440 in v3.16.
    let mtu = cluster.cni_mtu.unwrap_or(
        if cluster.calico_version < CalicoVersion::parse("v3.17").expect("valid") {
            1440
        } else {
            0
        },
    );
    let mut text = template
        .replace("__KUBERNETES_NODE_NAME__", &cluster.nodes[node].name)
        .replace("__CNI_MTU__", &mtu.to_string())
        .replace(
            "__KUBECONFIG_FILEPATH__",
            "/etc/cni/net.d/calico-kubeconfig",
        );
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
