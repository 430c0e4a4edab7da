"""HOI detector components; importing this package registers them in mmdet's registries."""
from .attentive_fusion import AttentiveFusion
from .cross_attention_layer import CrossAttentionLayer
from .dense_aux_head import DenseAuxHead
from .detr_init import (
                        DetrLoadReport,
                        DetrPretrainedInit,
                        load_detr_pretrained,
                        map_detr_state_dict,
                        read_detr_state_dict,
)
from .hoi_decoder import HOIDecoder
from .hoi_detector import HOIDetector
from .hoi_head import HOIHead
from .hoi_hungarian_assigner import HOIHungarianAssigner, matched_pairs
from .hoi_match_costs import HOIBoxL1Cost, HOIGIoUCost, HOIObjClassCost, HOIVerbClassCost
from .hoi_postprocess import HOIPostProcessor, load_correct_mat
from .hoi_targets import hoi_targets
from .hoi_triplet_nms import triplet_nms
from .itm_distill_loss import ITMDistillLoss
from .relational_context import MultiplexRelationContext
from .smca_detr import SmcaDETR, SmcaDETRHead
from .spatial_prior import GaussianSpatialPrior

__all__ = [
    'AttentiveFusion', 'CrossAttentionLayer', 'DenseAuxHead', 'DetrLoadReport',
    'DetrPretrainedInit', 'GaussianSpatialPrior',
    'HOIBoxL1Cost', 'HOIDecoder', 'HOIDetector', 'HOIGIoUCost', 'HOIHead',
    'HOIHungarianAssigner', 'HOIObjClassCost', 'HOIPostProcessor', 'HOIVerbClassCost',
    'ITMDistillLoss',
    'MultiplexRelationContext', 'SmcaDETR', 'SmcaDETRHead', 'hoi_targets', 'load_correct_mat',
    'load_detr_pretrained',
    'map_detr_state_dict', 'matched_pairs', 'read_detr_state_dict', 'triplet_nms',
]
